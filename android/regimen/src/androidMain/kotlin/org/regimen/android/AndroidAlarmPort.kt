// The OS adapter: AlarmManager for alarms, NotificationManager for what is shown. It carries
// out ReminderScheduler's decisions and decides nothing itself.
package org.regimen.android

import android.app.AlarmManager
import android.app.Notification
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.net.Uri
import android.os.Bundle
import java.time.Instant
import java.time.ZoneId

/**
 * [AlarmPort] and [DeviceState] over AlarmManager and NotificationManager.
 *
 * Each reminder's alarm is a broadcast PendingIntent to [ReminderAlarmReceiver] whose request
 * code is the plan's platform id, so arming it again replaces it and cancelling finds it. A
 * posted reminder's tag is the plan's group, so a dose's follow-ups replace its notification
 * instead of piling up, and answering it removes one notification.
 */
class AndroidAlarmPort(
    private val context: Context,
    private val texts: RegimenTexts,
    private val smallIcon: Int,
) : AlarmPort, DeviceState {
    private val alarms: AlarmManager = context.getSystemService(AlarmManager::class.java)
    private val notifications: NotificationManager = context.getSystemService(NotificationManager::class.java)

    private fun alarmIntent(platformId: Int, extras: Map<String, String>?, create: Boolean): PendingIntent? {
        val intent = Intent(ReminderAlarmReceiver.ACTION_FIRE).setClass(context, ReminderAlarmReceiver::class.java)
        extras?.forEach { (k, v) -> intent.putExtra(k, v) }
        val flags = PendingIntent.FLAG_IMMUTABLE or
            if (create) PendingIntent.FLAG_UPDATE_CURRENT else PendingIntent.FLAG_NO_CREATE
        return PendingIntent.getBroadcast(context, platformId, intent, flags)
    }

    private fun set(mode: AlarmMode, at: Instant, operation: PendingIntent) {
        val millis = at.toEpochMilli()
        val exact = mode != AlarmMode.INEXACT && RegimenAndroid.canScheduleExact(alarms)
        try {
            when {
                !exact -> alarms.setAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, millis, operation)
                mode == AlarmMode.ALARM_CLOCK -> alarms.setAlarmClock(AlarmManager.AlarmClockInfo(millis, launch()), operation)
                else -> alarms.setExactAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, millis, operation)
            }
        } catch (e: SecurityException) {
            // The permission went away between the check and the call: ring late rather than never.
            alarms.setAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, millis, operation)
        }
    }

    override fun arm(content: ReminderContent) {
        val operation = alarmIntent(content.reminder.platformId, ReminderIntents.contentExtras(content), create = true) ?: return
        set(content.reminder.mode, content.reminder.fireAt, operation)
    }

    override fun cancel(reminder: ArmedReminder) {
        val operation = alarmIntent(reminder.platformId, null, create = false) ?: return
        alarms.cancel(operation)
        operation.cancel()
    }

    override fun armRefresh(at: Instant, mode: AlarmMode) {
        val intent = Intent(ReminderAlarmReceiver.ACTION_REFRESH).setClass(context, ReminderAlarmReceiver::class.java)
        val operation = PendingIntent.getBroadcast(context, 0, intent, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT)
        set(if (mode == AlarmMode.ALARM_CLOCK) AlarmMode.EXACT else mode, at, operation)
    }

    override fun cancelRefresh() {
        val intent = Intent(ReminderAlarmReceiver.ACTION_REFRESH).setClass(context, ReminderAlarmReceiver::class.java)
        val operation = PendingIntent.getBroadcast(context, 0, intent, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_NO_CREATE)
        if (operation != null) alarms.cancel(operation)
    }

    override fun showNow(reminder: ArmedReminder) {
        post(ReminderContent(reminder, texts.catchUpTitle, texts.catchUpBody, answerable = reminder.shareId == null), alertOnce = true)
    }

    /** Posts [content] now, replacing what its group shows; [alertOnce] keeps a repeat silent. */
    fun post(content: ReminderContent, alertOnce: Boolean = false) {
        val r = content.reminder
        val extras = Bundle().apply { ReminderIntents.reminderExtras(r).forEach { (k, v) -> putString(k, v) } }
        val builder = Notification.Builder(context, content.channel.id)
            .setSmallIcon(smallIcon)
            .setContentTitle(content.title)
            .setContentText(content.body)
            .setCategory(if (r.shareId == null) Notification.CATEGORY_REMINDER else Notification.CATEGORY_STATUS)
            .setWhen(r.fireAt.toEpochMilli())
            .setShowWhen(true)
            .setAutoCancel(true)
            .setOnlyAlertOnce(alertOnce)
            .setVisibility(Notification.VISIBILITY_PUBLIC)
            .setContentIntent(launch())
            .addExtras(extras)
        if (content.answerable) {
            for (answer in ReminderAnswer.offeredFor(r.kind)) {
                val label = when (answer) {
                    ReminderAnswer.TAKEN -> texts.taken
                    ReminderAnswer.SNOOZE -> texts.snooze
                    ReminderAnswer.SKIP -> texts.skip
                    ReminderAnswer.REFILL_REQUESTED -> texts.refillRequested
                    ReminderAnswer.ENOUGH -> texts.enough
                }
                builder.addAction(Notification.Action.Builder(null, label, answerIntent(ReminderAction(answer, r))).build())
            }
        }
        notifications.notify(r.group, REMINDER_ID, builder.build())
    }

    private fun answerIntent(action: ReminderAction): PendingIntent {
        val intent = Intent(ReminderActionReceiver.ACTION_ANSWER)
            .setClass(context, ReminderActionReceiver::class.java)
            // The data makes each button's PendingIntent distinct (extras do not).
            .setData(Uri.parse("regimen-answer:${action.answer.name.lowercase()}/${action.reminder.platformId}"))
        ReminderIntents.actionExtras(action).forEach { (k, v) -> intent.putExtra(k, v) }
        return PendingIntent.getBroadcast(context, 0, intent, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT)
    }

    private fun launch(): PendingIntent? {
        val intent = context.packageManager.getLaunchIntentForPackage(context.packageName) ?: return null
        return PendingIntent.getActivity(context, 0, intent, PendingIntent.FLAG_IMMUTABLE)
    }

    override fun dismiss(posted: PostedReminder) {
        notifications.cancel(posted.group, REMINDER_ID)
    }

    override fun notice(notice: ReminderNotice?) {
        when (notice) {
            is ReminderNotice.ExactAlarmsDenied -> {
                val settings = RegimenAndroid.from(context).exactAlarmSettingsIntent()
                val builder = Notification.Builder(context, ReminderChannel.STATUS.id)
                    .setSmallIcon(smallIcon)
                    .setContentTitle(texts.inexactTitle)
                    .setContentText(texts.inexactBody)
                    .setOnlyAlertOnce(true)
                if (settings != null) {
                    builder.setContentIntent(PendingIntent.getActivity(context, 0, settings, PendingIntent.FLAG_IMMUTABLE))
                }
                notifications.notify(NOTICE_TAG, REMINDER_ID, builder.build())
            }
            // Nothing can be posted; the app shows Reminders.notice in its own screen.
            ReminderNotice.NotificationsBlocked -> Unit
            null -> notifications.cancel(NOTICE_TAG, REMINDER_ID)
        }
    }

    override fun canScheduleExactAlarms(): Boolean = RegimenAndroid.canScheduleExact(alarms)

    override fun notificationsEnabled(): Boolean = notifications.areNotificationsEnabled()

    override fun zone(): ZoneId = ZoneId.systemDefault()

    override fun posted(): List<PostedReminder> = notifications.activeNotifications
        .filter { it.id == REMINDER_ID && it.tag != null && it.tag != NOTICE_TAG }
        .mapNotNull { sbn -> ReminderIntents.reminder { sbn.notification.extras.getString(it) }?.let(ReminderIntents::posted) }

    private companion object {
        const val REMINDER_ID = 1
        const val NOTICE_TAG = "regimen.notice"
    }
}
