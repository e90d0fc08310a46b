// The broadcast receivers: each reads its intent, keeps the process alive with goAsync() while
// the work runs on RegimenAndroid's scope, and hands over to the plain-Kotlin logic.
package org.regimen.android

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull

/** Runs [work] after onReceive returns, finishing the broadcast when done or after 9 s. */
internal fun BroadcastReceiver.runAsync(context: Context, work: suspend (RegimenAndroid) -> Unit) {
    val pending = goAsync()
    val regimen = RegimenAndroid.from(context)
    regimen.scope.launch {
        try {
            // A broadcast must finish within 10 s; a late re-plan happens at the next trigger.
            withTimeoutOrNull(9_000) { work(regimen) }
        } finally {
            pending.finish()
        }
    }
}

/**
 * Reminder alarms and the refresh alarm (not exported; direct-boot aware, so that alarms armed
 * before the first unlock ring). Posts a fired reminder unless its dose was answered meanwhile,
 * then plans again.
 */
class ReminderAlarmReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        when (intent.action) {
            ACTION_FIRE -> {
                val content = ReminderIntents.content { intent.getStringExtra(it) } ?: return
                runAsync(context) { it.fired(content) }
            }
            ACTION_REFRESH -> runAsync(context) { it.reapply(ReapplyReason.ALARM) }
        }
    }

    /** The intent actions of Regimen's alarms. */
    companion object {
        /** A planned reminder fires. */
        const val ACTION_FIRE = "org.regimen.android.action.REMINDER"

        /** The plan's refresh_at came: plan again. */
        const val ACTION_REFRESH = "org.regimen.android.action.REFRESH"
    }
}

/**
 * Taken, Snooze and Skip from a notification (not exported: only the app's own PendingIntents
 * reach it). Logs the answer without opening the app, once even if delivered twice.
 */
class ReminderActionReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != ACTION_ANSWER) return
        val action = ReminderIntents.action { intent.getStringExtra(it) } ?: return
        runAsync(context) { it.answer(action) }
    }

    /** The intent action of the answer buttons. */
    companion object {
        /** A reminder's Taken, Snooze or Skip button. */
        const val ACTION_ANSWER = "org.regimen.android.action.ANSWER"
    }
}

/**
 * The re-arm triggers (system broadcasts; not exported, which system broadcasts still reach):
 * boot (locked and unlocked), app update, clock and zone changes, the exact-alarm permission.
 */
class RearmReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        val action = intent.action ?: return
        if (action == RearmTriggers.LOCKED_BOOT_COMPLETED) {
            RegimenAndroid.from(context).onLockedBoot()
            return
        }
        val reason = RearmTriggers.reasons[action] ?: return
        runAsync(context) { it.reapply(reason) }
    }
}
