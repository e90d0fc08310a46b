// Privacy level, exact alarms, notifications, and which medicines ring as alarms.
package org.regimen.sample

import android.Manifest
import android.app.Activity
import android.os.Bundle
import android.view.View
import android.widget.CheckBox
import android.widget.LinearLayout
import android.widget.RadioButton
import android.widget.RadioGroup
import android.widget.TextView
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import org.regimen.android.PrivacyLevel
import org.regimen.android.ReapplyReason
import org.regimen.android.RegimenAndroid
import org.regimen.bindings.core.RegimenException

/** The settings screen. */
class SettingsActivity : Activity() {
    private val scope = MainScope()
    private lateinit var exact: TextView
    private lateinit var alarms: LinearLayout
    private val regimen: RegimenAndroid get() = RegimenAndroid.from(this)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val column = column(this)
        column.addView(text(this, "What the lock screen shows", 18f))
        val group = RadioGroup(this)
        val buttons = mapOf(
            PrivacyLevel.HIDDEN to "Nothing: \"You have a reminder\"",
            PrivacyLevel.GENERIC to "The time: \"Time for your 8:00 medicines\"",
            PrivacyLevel.FULL to "Medicine names",
        ).map { (level, label) ->
            level to RadioButton(this).apply {
                id = View.generateViewId()
                text = label
                group.addView(this)
            }
        }.toMap()
        column.addView(group)

        column.addView(text(this, "Reminders on time", 18f))
        exact = text(this, "")
        column.addView(exact)
        regimen.exactAlarmSettingsIntent()?.let { intent ->
            column.addView(button(this, "Open Alarms & reminders") { startActivity(intent) })
        }
        if (regimen.needsNotificationPermission()) {
            column.addView(
                button(this, "Allow notifications") {
                    requestPermissions(arrayOf(Manifest.permission.POST_NOTIFICATIONS), 1)
                },
            )
        }
        column.addView(text(this, "Ring as an alarm clock", 18f))
        alarms = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
        column.addView(alarms)

        scope.launch {
            try {
                val client = regimen.client()
                val current = client.settings().reminders.privacy
                buttons[current]?.isChecked = true
                group.setOnCheckedChangeListener { _, checked ->
                    val level = buttons.entries.firstOrNull { it.value.id == checked }?.key ?: return@setOnCheckedChangeListener
                    scope.launch { runCatching { client.setPrivacy(level) } }
                }
                val marked = regimen.alarmClockMedicines.get()
                for (medicine in client.medicines()) {
                    alarms.addView(
                        CheckBox(this@SettingsActivity).apply {
                            text = medicine.info.name
                            isChecked = medicine.id in marked
                            setOnCheckedChangeListener { _, on ->
                                regimen.alarmClockMedicines.set(medicine.id, on)
                                scope.launch { regimen.reapply(ReapplyReason.CHANGE) }
                            }
                        },
                    )
                }
            } catch (e: RegimenException) {
                column.addView(text(this@SettingsActivity, explain(e)))
            }
        }
    }

    override fun onResume() {
        super.onResume()
        exact.text = if (regimen.canScheduleExactAlarms()) {
            "Exact alarms are allowed: reminders ring on the minute."
        } else {
            "Exact alarms are off: reminders may come minutes late."
        }
        // The permission may have changed in the system screen.
        scope.launch { regimen.reapply(ReapplyReason.EXACT_ALARM_PERMISSION) }
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }
}
