// Today's doses with Taken and Skip, the exact-alarm notice, and links to the other screens.
package org.regimen.sample

import android.Manifest
import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.view.View
import android.widget.LinearLayout
import android.widget.TextView
import java.time.Duration
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import org.regimen.android.MedicineInfo
import org.regimen.android.Phase
import org.regimen.android.RegimenAndroid
import org.regimen.android.RegimenClient
import org.regimen.android.ReminderNotice
import org.regimen.android.Schedule
import org.regimen.android.Today
import org.regimen.android.Timing
import org.regimen.android.TimingRepeat
import org.regimen.android.TodayDose
import org.regimen.android.UnitOfTime
import org.regimen.android.ZonePolicy
import org.regimen.bindings.core.RegimenException

/** The launcher screen: today's doses, each with Taken and Skip while it is open. */
class TodayActivity : Activity() {
    private val scope = MainScope()
    private lateinit var notice: TextView
    private lateinit var list: LinearLayout
    private val regimen: RegimenAndroid get() = RegimenAndroid.from(this)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val column = column(this)
        column.addView(
            row(
                this,
                button(this, "Settings") { startActivity(Intent(this, SettingsActivity::class.java)) },
                button(this, "Caregiver") { startActivity(Intent(this, PairingActivity::class.java)) },
                button(this, "Add sample") { addSample() },
            ),
        )
        notice = text(this, "").apply {
            visibility = View.GONE
            setOnClickListener { regimen.exactAlarmSettingsIntent()?.let(::startActivity) }
        }
        column.addView(notice)
        list = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
        column.addView(list)
        if (regimen.needsNotificationPermission()) requestPermissions(arrayOf(Manifest.permission.POST_NOTIFICATIONS), 1)
        scope.launch {
            try {
                regimen.client().today.collect(::render)
            } catch (e: RegimenException) {
                list.addView(text(this@TodayActivity, explain(e)))
            }
        }
    }

    override fun onResume() {
        super.onResume()
        scope.launch {
            try {
                regimen.client().refresh()
                showNotice(regimen.reminders().notice)
            } catch (e: RegimenException) {
                showNotice(null)
            }
        }
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    private fun showNotice(value: ReminderNotice?) {
        notice.text = when (value) {
            is ReminderNotice.ExactAlarmsDenied ->
                "Reminders may come late: exact alarms are off. Tap to allow Alarms & reminders."
            ReminderNotice.NotificationsBlocked -> "Notifications are off for Regimen: reminders cannot be shown."
            null -> ""
        }
        notice.visibility = if (value == null) View.GONE else View.VISIBLE
    }

    private fun render(today: Today) {
        list.removeAllViews()
        val time = DateTimeFormatter.ofLocalizedTime(FormatStyle.SHORT).withZone(today.zone)
        list.addView(text(this, today.date.toString(), 20f))
        if (today.doses.isEmpty()) list.addView(text(this, "No doses today."))
        for (dose in today.doses) {
            val label = "${dose.dueAt?.let(time::format) ?: "as needed"}  ${dose.name ?: "?"}  (${dose.status.name.lowercase()})"
            val taken = button(this, "Taken") { answer(dose) { c -> c.take(dose.dose) } }
            val skip = button(this, "Skip") { answer(dose) { c -> c.skip(dose.dose) } }
            taken.isEnabled = dose.canAnswer
            skip.isEnabled = dose.canAnswer
            list.addView(row(this, text(this, label), taken, skip))
        }
    }

    private fun answer(dose: TodayDose, call: suspend (RegimenClient) -> Unit) {
        if (!dose.canAnswer) return
        scope.launch {
            try {
                call(regimen.client())
            } catch (e: RegimenException) {
                list.addView(text(this@TodayActivity, explain(e)), 0)
            }
        }
    }

    private fun addSample() {
        scope.launch {
            try {
                val client = regimen.client()
                val first = client.now().plus(Duration.ofMinutes(2))
                // Every 12 hours from two minutes from now: the first reminder rings soon.
                val start = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").withZone(ZoneOffset.UTC).format(first)
                val schedule = Schedule(
                    start = start,
                    zone = "UTC",
                    policy = ZonePolicy.ELAPSED,
                    phases = listOf(Phase(Timing(repeat = TimingRepeat(frequency = 1u, period = 12.0, periodUnit = UnitOfTime.H)))),
                )
                client.addMedicine(MedicineInfo(name = "Sample medicine", strength = "1 tablet"), schedule)
            } catch (e: RegimenException) {
                list.addView(text(this@TodayActivity, explain(e)), 0)
            }
        }
    }
}
