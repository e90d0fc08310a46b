// Turning a notification plan into OS alarms: the decision (what to arm, replace, cancel, show
// at once, dismiss) is a pure function of plain values, tested on the JVM; the AlarmManager
// adapter behind AlarmPort only carries it out.
package org.regimen.android

import java.time.Duration
import java.time.Instant
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

/** How an alarm is set with AlarmManager. */
enum class AlarmMode {
    /** `setExactAndAllowWhileIdle`: on the minute, also in Doze (needs SCHEDULE_EXACT_ALARM). */
    EXACT,

    /** `setAlarmClock`: on the minute, shown as the next alarm, for doses the patient marked. */
    ALARM_CLOCK,

    /** `setAndAllowWhileIdle`: the OS may deliver it minutes late (no exact-alarm permission). */
    INEXACT,
}

/** The notification channels a Regimen app creates (ids stable: the patient's choices stick). */
enum class ReminderChannel(
    /** The channel id given to NotificationManager. */
    val id: String,
) {
    /** Doses due now and heads-ups before them. */
    DOSES("regimen.doses"),

    /** Follow-ups of doses still unanswered. */
    FOLLOW_UPS("regimen.follow-ups"),

    /** A medicine is running out. */
    REFILLS("regimen.refills"),

    /** A followed patient's dose was not confirmed, or their phone went quiet. */
    CAREGIVER("regimen.caregiver"),

    /** Reminders cannot ring on time (exact alarms denied); quiet. */
    STATUS("regimen.status"),
    ;

    /** Channel lookup for planned notifications. */
    companion object {
        /** The channel a planned notification of [kind] is posted on. */
        fun of(kind: NotificationKind): ReminderChannel = when (kind) {
            NotificationKind.HEADS_UP, NotificationKind.DOSE -> DOSES
            NotificationKind.FOLLOW_UP -> FOLLOW_UPS
            NotificationKind.REFILL -> REFILLS
            NotificationKind.CAREGIVER_ALERT, NotificationKind.CAREGIVER_SILENCE -> CAREGIVER
        }
    }
}

/**
 * One alarm Regimen keeps armed for a planned notification, keyed by [platformId]. It holds no
 * text: [fingerprint] is a keyed hash of everything shown, so a changed text is noticed without
 * keeping it on disk.
 *
 * @property platformId the plan's integer id: the PendingIntent's request code and notification id.
 * @property id the plan's stable string id.
 * @property kind what the notification is for.
 * @property fireAt when it fires.
 * @property dueAt the moment of the doses it is about.
 * @property medicineIds the medicines it is about.
 * @property shareId for a caregiver alert, the share it is about.
 * @property group the plan's group: the posted notification's tag, so a dose's reminders stack.
 * @property mode how the alarm is set.
 * @property fingerprint keyed hash of the plan entry, its mode included.
 */
data class ArmedReminder(
    val platformId: Int,
    val id: String,
    val kind: NotificationKind,
    val fireAt: Instant,
    val dueAt: Instant,
    val medicineIds: List<Long>,
    val shareId: Long?,
    val group: String,
    val mode: AlarmMode,
    val fingerprint: String,
)

/**
 * What the OS adapter arms or posts: a reminder with its text. The text is the plan's, at the
 * patient's privacy level; [toString] leaves it out.
 *
 * @property reminder the alarm.
 * @property title the notification's title.
 * @property body the notification's text.
 * @property answerable whether Taken, Snooze and Skip actions go with it.
 */
class ReminderContent(val reminder: ArmedReminder, val title: String, val body: String, val answerable: Boolean) {
    /** The channel it is posted on. */
    val channel: ReminderChannel get() = ReminderChannel.of(reminder.kind)

    override fun equals(other: Any?): Boolean =
        other is ReminderContent && other.reminder == reminder && other.title == title && other.body == body &&
            other.answerable == answerable

    override fun hashCode(): Int = reminder.hashCode()

    /** The alarm only: reminder texts stay out of logs. */
    override fun toString(): String = "ReminderContent($reminder)"
}

/**
 * A reminder notification on screen, as the OS lists it.
 *
 * @property group its tag (the plan's group).
 * @property kind what it is for.
 * @property medicineIds the medicines it is about.
 * @property dueAt the moment of its doses.
 * @property fireAt when it was shown for.
 */
data class PostedReminder(
    val group: String,
    val kind: NotificationKind,
    val medicineIds: List<Long>,
    val dueAt: Instant,
    val fireAt: Instant,
)

/**
 * What is armed, as kept on disk between runs (Android cannot list an app's alarms).
 *
 * @property reminders every armed reminder.
 * @property refreshAt when the refresh alarm fires, if one is armed.
 * @property refreshMode how the refresh alarm is set.
 */
data class AppliedReminders(
    val reminders: List<ArmedReminder> = emptyList(),
    val refreshAt: Instant? = null,
    val refreshMode: AlarmMode? = null,
)

/** Something the patient must be told because reminders may not ring as planned. */
sealed class ReminderNotice {
    /** Exact alarms are not allowed: [inexact] reminders may come minutes late. */
    data class ExactAlarmsDenied(
        /** How many armed reminders are inexact. */
        val inexact: Int,
    ) : ReminderNotice()

    /** Notifications are blocked for the app (or POST_NOTIFICATIONS was refused on API 33+). */
    data object NotificationsBlocked : ReminderNotice()
}

/** Why reminders are being applied; says what the OS may have dropped meanwhile. */
enum class ReapplyReason(
    /** The OS may have cleared the app's alarms: arm every planned one again. */
    val alarmsMayBeLost: Boolean,
    /** Reminders may have come due while nothing ran: show the ones still open at once. */
    val catchUp: Boolean,
) {
    /** BOOT_COMPLETED (after the first unlock): alarms do not survive a reboot. */
    BOOT(alarmsMayBeLost = true, catchUp = true),

    /** MY_PACKAGE_REPLACED: the app was updated. */
    PACKAGE_REPLACED(alarmsMayBeLost = true, catchUp = false),

    /** A cold start of the app; a force stop clears alarms without telling the app. */
    APP_START(alarmsMayBeLost = true, catchUp = false),

    /** TIME_SET: the wall clock was changed. */
    TIME_CHANGED(alarmsMayBeLost = false, catchUp = false),

    /** TIMEZONE_CHANGED, after the zone was recorded with changeDeviceZone. */
    ZONE_CHANGED(alarmsMayBeLost = false, catchUp = false),

    /** The exact-alarm permission was granted (revoking it kills the app and its alarms). */
    EXACT_ALARM_PERMISSION(alarmsMayBeLost = false, catchUp = false),

    /** A reminder or the refresh alarm fired. */
    ALARM(alarmsMayBeLost = false, catchUp = false),

    /** A dose was answered or the data changed through the facade. */
    CHANGE(alarmsMayBeLost = false, catchUp = false),

    /** A caregiver message arrived. */
    PUSH(alarmsMayBeLost = false, catchUp = false),
}

/**
 * The system broadcasts that re-arm reminders, and why each does. The manifest's re-arm
 * receiver listens to exactly these (a test compares them).
 */
object RearmTriggers {
    /** Before the first unlock after a reboot: only the device-protected copy can be read. */
    const val LOCKED_BOOT_COMPLETED = "android.intent.action.LOCKED_BOOT_COMPLETED"

    /** Every other trigger and the reason it applies reminders with. */
    val reasons: Map<String, ReapplyReason> = mapOf(
        "android.intent.action.BOOT_COMPLETED" to ReapplyReason.BOOT,
        "android.intent.action.MY_PACKAGE_REPLACED" to ReapplyReason.PACKAGE_REPLACED,
        "android.intent.action.TIME_SET" to ReapplyReason.TIME_CHANGED,
        "android.intent.action.TIMEZONE_CHANGED" to ReapplyReason.ZONE_CHANGED,
        "android.app.action.SCHEDULE_EXACT_ALARM_PERMISSION_STATE_CHANGED" to ReapplyReason.EXACT_ALARM_PERMISSION,
    )

    /** Every action the re-arm receiver handles. */
    val actions: Set<String> get() = reasons.keys + LOCKED_BOOT_COMPLETED
}

/**
 * Everything the decision looks at.
 *
 * @property now the instant of the decision.
 * @property plan the plan to apply.
 * @property applied what was armed before.
 * @property exactAlarms whether exact alarms are allowed (`canScheduleExactAlarms()`).
 * @property notificationsEnabled whether the app may post notifications.
 * @property alarmClockMedicines medicines the patient wants rung as alarms (`setAlarmClock`).
 * @property reason why this runs.
 * @property doses doses around now with their status, to tell open doses from answered ones.
 * @property posted reminders on screen.
 * @property headsUp the heads-up lead time in the settings (zero if none).
 */
data class ReminderInput(
    val now: Instant,
    val plan: NotificationPlan,
    val applied: AppliedReminders,
    val exactAlarms: Boolean,
    val notificationsEnabled: Boolean = true,
    val alarmClockMedicines: Set<Long> = emptySet(),
    val reason: ReapplyReason = ReapplyReason.CHANGE,
    val doses: List<ScheduledDose> = emptyList(),
    val posted: List<PostedReminder> = emptyList(),
    val headsUp: Duration = Duration.ZERO,
) {
    /** Counts only: the plan's texts stay out of logs. */
    override fun toString(): String =
        "ReminderInput(now=$now, planned=${plan.notifications.size}, armed=${applied.reminders.size}, reason=$reason)"
}

/**
 * What to do to the OS so that what is armed is what the plan says.
 *
 * @property arm reminders new to the plan.
 * @property replace reminders armed before whose time, text or mode changed (same platform id).
 * @property cancel armed reminders the plan no longer has.
 * @property unchanged armed reminders left as they are.
 * @property showNow reminders that came due while nothing ran and whose doses are still open.
 * @property dismiss posted reminders whose doses are all answered now.
 * @property refreshAt when to plan again.
 * @property refreshMode how to set the refresh alarm.
 * @property rearmRefresh whether the refresh alarm must be set (it changed or may be lost).
 * @property notice what to tell the patient, if anything.
 * @property applied what is armed afterwards: to keep on disk.
 */
class ReminderDecision(
    val arm: List<ReminderContent>,
    val replace: List<ReminderContent>,
    val cancel: List<ArmedReminder>,
    val unchanged: List<ArmedReminder>,
    val showNow: List<ArmedReminder>,
    val dismiss: List<PostedReminder>,
    val refreshAt: Instant,
    val refreshMode: AlarmMode,
    val rearmRefresh: Boolean,
    val notice: ReminderNotice?,
    val applied: AppliedReminders,
) {
    /** How many OS calls the decision needs (0 when the plan is already applied). */
    val changes: Int
        get() = arm.size + replace.size + cancel.size + showNow.size + dismiss.size + if (rearmRefresh) 1 else 0

    /** Counts only. */
    override fun toString(): String =
        "ReminderDecision(arm=${arm.size}, replace=${replace.size}, cancel=${cancel.size}, " +
            "unchanged=${unchanged.size}, showNow=${showNow.size}, dismiss=${dismiss.size}, refreshAt=$refreshAt, " +
            "notice=$notice)"
}

/** The OS side of reminders: AlarmManager and NotificationManager on Android, a fake in tests. */
interface AlarmPort {
    /** Arms (or re-arms, replacing the alarm with the same platform id) [content]'s alarm. */
    fun arm(content: ReminderContent)

    /** Cancels [reminder]'s alarm. */
    fun cancel(reminder: ArmedReminder)

    /** Arms the one refresh alarm at [at], replacing the previous one. */
    fun armRefresh(at: Instant, mode: AlarmMode)

    /** Cancels the refresh alarm. */
    fun cancelRefresh()

    /** Posts a catch-up notification for [reminder] at once, in neutral words. */
    fun showNow(reminder: ArmedReminder)

    /** Removes a posted reminder from the screen. */
    fun dismiss(posted: PostedReminder)

    /** Shows [notice], or clears it when null. */
    fun notice(notice: ReminderNotice?)
}

/** Keeps what is armed across process deaths. */
interface AppliedStore {
    /** What was armed; empty (and [lost] true) when nothing was kept or the file was unreadable. */
    fun load(): AppliedReminders

    /** Whether the last [load] found no usable record, so the OS may hold alarms nobody knows. */
    val lost: Boolean

    /** Replaces the record. */
    fun save(applied: AppliedReminders)
}

/**
 * Applies notification plans: one alarm per planned notification keyed by its platform id, the
 * applied set kept in [store] so that vanished entries are cancelled, one alarm at the plan's
 * `refresh_at`. [fingerprintKey] keys the hash of each entry's text (a per-install secret from
 * the app's key store, so the record on disk says nothing about what the texts were).
 */
class ReminderScheduler(
    private val port: AlarmPort,
    private val store: AppliedStore,
    private val fingerprintKey: ByteArray,
) {
    /**
     * Decides [input] against what [store] holds (the input's own `applied` is not used), carries
     * the decision out through [port], and keeps the result in [store]. When the store had no
     * usable record, every planned alarm is armed again.
     */
    @Synchronized
    fun apply(input: ReminderInput): ReminderDecision {
        val applied = store.load()
        val reason = if (store.lost) lostReason(input.reason) else input.reason
        val decision = decide(input.copy(applied = applied, reason = reason), fingerprintKey)
        decision.cancel.forEach(port::cancel)
        decision.replace.forEach(port::arm)
        decision.arm.forEach(port::arm)
        if (decision.rearmRefresh) port.armRefresh(decision.refreshAt, decision.refreshMode)
        decision.dismiss.forEach(port::dismiss)
        decision.showNow.forEach(port::showNow)
        port.notice(decision.notice)
        store.save(decision.applied)
        return decision
    }

    /**
     * Cancels every alarm this scheduler armed and the refresh alarm, takes [posted] reminders
     * off the screen and forgets what was armed: after the database was deleted.
     */
    @Synchronized
    fun cancelAll(posted: List<PostedReminder>) {
        store.load().reminders.forEach(port::cancel)
        port.cancelRefresh()
        posted.forEach(port::dismiss)
        port.notice(null)
        store.save(AppliedReminders())
    }

    /** The pure decision, and the rules it follows. */
    companion object {
        /** Reminders that came due more than this long ago are not caught up. */
        val CATCH_UP_WINDOW: Duration = Duration.ofHours(12)

        /** Dose statuses for which a reminder is still wanted. */
        val OPEN: Set<DoseStatus> = setOf(DoseStatus.UPCOMING, DoseStatus.DUE, DoseStatus.LATE)

        private fun lostReason(reason: ReapplyReason) =
            if (reason.alarmsMayBeLost) reason else ReapplyReason.APP_START

        /**
         * The mode for a planned notification: exact unless exact alarms are denied (then every
         * alarm is inexact, `setAlarmClock` included, which needs the same permission); an alarm
         * clock for a dose or follow-up of a medicine the patient marked.
         */
        fun modeFor(notification: PlannedNotification, exactAlarms: Boolean, alarmClockMedicines: Set<Long>): AlarmMode =
            when {
                !exactAlarms -> AlarmMode.INEXACT
                notification.shareId == null &&
                    (notification.kind == NotificationKind.DOSE || notification.kind == NotificationKind.FOLLOW_UP) &&
                    notification.medicineIds.any { it in alarmClockMedicines } -> AlarmMode.ALARM_CLOCK
                else -> AlarmMode.EXACT
            }

        /** The armed form of [notification] in [mode], its fingerprint keyed by [key]. */
        fun armed(notification: PlannedNotification, mode: AlarmMode, key: ByteArray): ArmedReminder {
            val mac = Mac.getInstance("HmacSHA256").apply { init(SecretKeySpec(key, "HmacSHA256")) }
            listOf(
                notification.id, notification.kind.name, notification.fireAt.toEpochMilli().toString(),
                notification.dueAt.toEpochMilli().toString(), notification.medicineIds.joinToString(","),
                notification.shareId?.toString().orEmpty(), notification.title, notification.body,
                notification.group, mode.name,
            ).forEach { field ->
                val bytes = field.toByteArray(Charsets.UTF_8)
                mac.update(byteArrayOf((bytes.size ushr 8).toByte(), bytes.size.toByte()))
                mac.update(bytes)
            }
            val fingerprint = mac.doFinal().take(16).joinToString("") { "%02x".format(it) }
            return ArmedReminder(
                platformId = notification.platformId,
                id = notification.id,
                kind = notification.kind,
                fireAt = notification.fireAt,
                dueAt = notification.dueAt,
                medicineIds = notification.medicineIds,
                shareId = notification.shareId,
                group = notification.group,
                mode = mode,
                fingerprint = fingerprint,
            )
        }

        /**
         * The doses a reminder is about, per medicine: that medicine's doses due from the
         * reminder's [dueAt] (the earliest of its moment) up to its moment ([fireAt], or
         * [fireAt] plus the heads-up lead for a heads-up).
         */
        fun dosesOf(
            medicineIds: List<Long>,
            kind: NotificationKind,
            dueAt: Instant,
            fireAt: Instant,
            headsUp: Duration,
            doses: List<ScheduledDose>,
        ): Map<Long, List<ScheduledDose>> {
            val until = if (kind == NotificationKind.HEADS_UP) fireAt.plus(headsUp) else maxOf(fireAt, dueAt)
            return medicineIds.associateWith { id ->
                doses.filter { dose ->
                    val due = dose.dueAt
                    dose.medicineId == id && due != null && due >= dueAt && due <= until
                }
            }
        }

        /**
         * Whether a reminder is still wanted: a dose reminder while one of its doses is
         * unanswered, a refill reminder while one of its medicines is in the plan's
         * [refillsOpen] (running low, not answered, not put off today); caregiver alerts always.
         */
        fun stillOpen(
            medicineIds: List<Long>,
            kind: NotificationKind,
            dueAt: Instant,
            fireAt: Instant,
            headsUp: Duration,
            doses: List<ScheduledDose>,
            refillsOpen: Collection<Long>,
        ): Boolean {
            if (kind == NotificationKind.CAREGIVER_ALERT || kind == NotificationKind.CAREGIVER_SILENCE) return true
            if (kind == NotificationKind.REFILL) return medicineIds.any { it in refillsOpen }
            return dosesOf(medicineIds, kind, dueAt, fireAt, headsUp, doses).values.flatten().any { it.status in OPEN }
        }

        /** The notice for a set of armed reminders, if the patient must be told anything. */
        fun noticeFor(armed: List<ArmedReminder>, exactAlarms: Boolean, notificationsEnabled: Boolean): ReminderNotice? =
            when {
                !notificationsEnabled -> ReminderNotice.NotificationsBlocked
                !exactAlarms && armed.isNotEmpty() -> ReminderNotice.ExactAlarmsDenied(armed.count { it.mode == AlarmMode.INEXACT })
                else -> null
            }

        /**
         * The decision. Rules:
         * - a planned notification whose platform id is not armed is armed; one armed with another
         *   fingerprint (time, text, group or mode changed) is replaced; an identical one is left
         *   alone, unless the OS may have dropped alarms ([ReapplyReason.alarmsMayBeLost]), when
         *   every planned one is armed again;
         * - an armed reminder the plan no longer has is cancelled if it was still to come; one
         *   whose time has passed has fired (or is firing) and leaves the record, and is
         *   cancelled too if its doses are answered, so a late inexact delivery cannot ring;
         * - after a reboot ([ReapplyReason.catchUp]), a passed reminder of the last
         *   [CATCH_UP_WINDOW] whose doses are still open is shown at once, the latest per group;
         * - a posted reminder whose doses are all answered (or snoozed) is dismissed;
         * - the refresh alarm is set at the plan's `refresh_at` when it moved or may be lost.
         */
        fun decide(input: ReminderInput, fingerprintKey: ByteArray): ReminderDecision {
            val now = input.now
            val lost = input.reason.alarmsMayBeLost
            val before = input.applied.reminders.associateBy { it.platformId }
            val planned = input.plan.notifications
                .filter { it.fireAt > now }
                .distinctBy { it.platformId }
                .map { notification ->
                    val mode = modeFor(notification, input.exactAlarms, input.alarmClockMedicines)
                    ReminderContent(
                        armed(notification, mode, fingerprintKey),
                        notification.title,
                        notification.body,
                        answerable = notification.shareId == null,
                    )
                }
            val plannedIds = planned.map { it.reminder.platformId }.toSet()

            val arm = mutableListOf<ReminderContent>()
            val replace = mutableListOf<ReminderContent>()
            val unchanged = mutableListOf<ArmedReminder>()
            for (content in planned) {
                val old = before[content.reminder.platformId]
                when {
                    old == null -> arm += content
                    old.fingerprint != content.reminder.fingerprint -> replace += content
                    lost -> replace += content
                    else -> unchanged += old
                }
            }

            val cancel = mutableListOf<ArmedReminder>()
            val passed = mutableListOf<ArmedReminder>()
            for (old in input.applied.reminders) {
                if (old.platformId in plannedIds) continue
                if (old.fireAt > now) {
                    cancel += old
                } else {
                    val open = stillOpen(old.medicineIds, old.kind, old.dueAt, old.fireAt, input.headsUp, input.doses, input.plan.refillsOpen)
                    if (open) passed += old else if (!lost) cancel += old
                }
            }
            val showNow = if (input.reason.catchUp) {
                passed.filter { it.fireAt >= now.minus(CATCH_UP_WINDOW) }
                    .groupBy { it.group }
                    .map { (_, group) -> group.maxBy { it.fireAt } }
                    .sortedBy { it.fireAt }
            } else {
                emptyList()
            }

            val dismiss = input.posted.filter { posted ->
                posted.kind != NotificationKind.CAREGIVER_ALERT && posted.kind != NotificationKind.CAREGIVER_SILENCE &&
                    !stillOpen(posted.medicineIds, posted.kind, posted.dueAt, posted.fireAt, input.headsUp, input.doses, input.plan.refillsOpen)
            }

            val refreshMode = if (input.exactAlarms) AlarmMode.EXACT else AlarmMode.INEXACT
            val refreshAt = maxOf(input.plan.refreshAt, now.plusSeconds(60))
            val rearmRefresh = lost || input.applied.refreshAt != refreshAt || input.applied.refreshMode != refreshMode

            val armedAfter = planned.map { it.reminder }.sortedBy { it.fireAt }
            return ReminderDecision(
                arm = arm,
                replace = replace,
                cancel = cancel,
                unchanged = unchanged,
                showNow = showNow,
                dismiss = dismiss,
                refreshAt = refreshAt,
                refreshMode = refreshMode,
                rearmRefresh = rearmRefresh,
                notice = noticeFor(armedAfter, input.exactAlarms, input.notificationsEnabled),
                applied = AppliedReminders(armedAfter, refreshAt, refreshMode),
            )
        }
    }
}
