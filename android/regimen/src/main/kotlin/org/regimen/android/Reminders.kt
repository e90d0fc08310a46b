// The reminder loop in plain Kotlin: plan, decide, apply; post a fired reminder if its dose is
// still open; log an answer from a notification once, however often it is delivered. The
// Android receivers call these and nothing else.
package org.regimen.android

import java.io.File
import java.io.IOException
import java.time.Duration
import java.time.Instant
import java.time.ZoneId
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/** What the phone allows and where it is, asked afresh at every re-plan. */
interface DeviceState {
    /** `AlarmManager.canScheduleExactAlarms()` (always true before API 31). */
    fun canScheduleExactAlarms(): Boolean

    /** Whether the app may post notifications (POST_NOTIFICATIONS on API 33+, app not blocked). */
    fun notificationsEnabled(): Boolean

    /** The phone's zone now. */
    fun zone(): ZoneId

    /** The reminders on screen now. */
    fun posted(): List<PostedReminder>
}

/**
 * The medicines whose reminders the patient wants rung as alarms (`setAlarmClock`), kept in a
 * small file of row ids (no names). A shell setting: the library's plan does not carry it.
 */
class AlarmClockMedicines(private val file: File) {
    /** The marked medicines. */
    fun get(): Set<Long> = try {
        if (file.exists()) file.readLines().mapNotNull { it.trim().toLongOrNull() }.toSet() else emptySet()
    } catch (e: IOException) {
        emptySet()
    }

    /** Marks or unmarks [medicineId]. */
    fun set(medicineId: Long, alarm: Boolean) {
        val now = get()
        val next = if (alarm) now + medicineId else now - medicineId
        file.parentFile?.mkdirs()
        val partial = File(file.path + ".partial")
        partial.writeText(next.sorted().joinToString("\n"))
        if (!partial.renameTo(file)) throw IOException("could not save the alarm setting")
    }
}

/**
 * What became of a tap on a reminder's button.
 *
 * @property logged medicines whose dose (or, for a refill reminder, whose answer) was logged now.
 * @property alreadyAnswered medicines whose dose was already answered (a second delivery), or
 *   that has no dose at that time any more (the schedule changed): nothing was logged for them.
 */
data class AnswerOutcome(val logged: List<Long>, val alreadyAnswered: List<Long>)

/**
 * The Android shell's reminder logic over a [RegimenClient]: every entry point the receivers and
 * the app call, serialised by one lock so that an alarm, an action and a re-plan never interleave.
 *
 * @param client the open database.
 * @param scheduler the applier.
 * @param device what the phone allows.
 * @param alarmClock the medicines rung as alarms.
 * @param afterLog called after a dose was logged from a notification (the app schedules the
 *   caregiver outbox there).
 */
class Reminders(
    private val client: RegimenClient,
    private val scheduler: ReminderScheduler,
    private val device: DeviceState,
    private val alarmClock: AlarmClockMedicines? = null,
    private val afterLog: () -> Unit = {},
    /** How far ahead reminders are planned. */
    val horizon: Duration = RegimenClient.DEFAULT_HORIZON,
    /** How many reminders may be pending at most. */
    val budget: Int = RegimenClient.DEFAULT_BUDGET,
) {
    private val lock = Mutex()

    /** The last decision's notice, for an in-app banner. */
    @Volatile
    var notice: ReminderNotice? = null
        private set

    /**
     * Plans and applies. For [ReapplyReason.ZONE_CHANGED] and [ReapplyReason.APP_START] the
     * phone's zone is recorded first, so doses that follow local time move.
     */
    suspend fun reapply(reason: ReapplyReason): ReminderDecision = lock.withLock { reapplyLocked(reason) }

    /**
     * A reminder's alarm fired: posts it through [post] unless its doses were answered meanwhile
     * (an inexact alarm may come late), then plans again. Returns whether it was posted.
     */
    suspend fun fired(content: ReminderContent, post: (ReminderContent) -> Unit): Boolean = lock.withLock {
        val open = stillWantedLocked(content)
        if (open) post(content)
        reapplyLocked(ReapplyReason.ALARM)
        open
    }

    /**
     * Deletes everything (see [RegimenClient.deleteEverything]) and then every reminder this
     * shell armed or shows; the [client] is unusable afterwards.
     */
    suspend fun deleteEverything(): DeletionReport = lock.withLock {
        client.deleteEverything().also { scheduler.cancelAll(device.posted()) }
    }

    /** Whether a fired reminder still has an unanswered dose (a caregiver alert always does). */
    suspend fun stillWanted(content: ReminderContent): Boolean = lock.withLock { stillWantedLocked(content) }

    private suspend fun stillWantedLocked(content: ReminderContent): Boolean {
        val r = content.reminder
        val doses = dosesAround(r.dueAt, r.fireAt)
        val refillsOpen = if (r.kind == NotificationKind.REFILL) client.planNotifications(horizon, budget).refillsOpen else emptyList()
        return ReminderScheduler.stillOpen(r.medicineIds, r.kind, r.dueAt, r.fireAt, headsUp(), doses, refillsOpen)
    }

    /**
     * The patient tapped a reminder's button (a refill reminder's go to the refill answer).
     * For Taken, Snooze or Skip, logs each of the reminder's doses that is still
     * unanswered (so a second delivery of the same tap logs nothing), then plans again, which
     * cancels the answered doses' follow-ups and dismisses their notification.
     */
    suspend fun answer(action: ReminderAction, snooze: Duration = DEFAULT_SNOOZE): AnswerOutcome = lock.withLock {
        val r = action.reminder
        require(action.answer in ReminderAnswer.offeredFor(r.kind)) { "this reminder has no such button" }
        if (r.kind == NotificationKind.REFILL) return@withLock answerRefillLocked(action)
        val now = client.now()
        val candidates = when (action.answer) {
            ReminderAnswer.SNOOZE -> ReminderScheduler.OPEN
            else -> ReminderScheduler.OPEN + DoseStatus.SNOOZED + DoseStatus.MISSED
        }
        val byMedicine = ReminderScheduler.dosesOf(r.medicineIds, r.kind, r.dueAt, r.fireAt, headsUp(), dosesAround(r.dueAt, r.fireAt))
        val logged = mutableListOf<Long>()
        val already = mutableListOf<Long>()
        for (medicineId in r.medicineIds) {
            val dose = byMedicine[medicineId].orEmpty().filter { it.status in candidates }.minByOrNull { it.dueAt!! }
            if (dose == null) {
                already += medicineId
                continue
            }
            val event = when (action.answer) {
                ReminderAnswer.SKIP -> NewDoseEvent(medicineId, DoseAction.SKIPPED, now, scheduledAt = dose.dueAt)
                ReminderAnswer.SNOOZE ->
                    NewDoseEvent(medicineId, DoseAction.SNOOZED, now, scheduledAt = dose.dueAt, snoozeUntil = now.plus(snooze))
                else -> NewDoseEvent(medicineId, DoseAction.TAKEN, now, scheduledAt = dose.dueAt)
            }
            client.logDose(event)
            logged += medicineId
        }
        reapplyLocked(ReapplyReason.CHANGE)
        if (logged.isNotEmpty()) afterLog()
        AnswerOutcome(logged, already)
    }

    /**
     * A refill reminder's button: the answer is recorded for each of its medicines (the library
     * keeps it until stock comes in or is counted, or for the rest of the day for Snooze), then
     * the plan, without that reminder, is applied, which dismisses it.
     */
    private suspend fun answerRefillLocked(action: ReminderAction): AnswerOutcome {
        val answer = when (action.answer) {
            ReminderAnswer.REFILL_REQUESTED -> RefillAnswer.REQUESTED
            ReminderAnswer.ENOUGH -> RefillAnswer.ENOUGH
            else -> RefillAnswer.SNOOZED
        }
        val open = client.planNotifications(horizon, budget).refillsOpen.toSet()
        val (logged, already) = action.reminder.medicineIds.partition { it in open }
        logged.forEach { client.answerRefill(it, answer) }
        reapplyLocked(ReapplyReason.CHANGE)
        return AnswerOutcome(logged, already)
    }

    private suspend fun headsUp(): Duration =
        client.settings().reminders.headsUpMinutes?.let { Duration.ofMinutes(it.toLong()) } ?: Duration.ZERO

    /** Doses from a day before [from] to a few hours after [to]: enough for any reminder's moment. */
    private suspend fun dosesAround(from: Instant, to: Instant): List<ScheduledDose> =
        client.doses(minOf(from, to).minus(Duration.ofDays(1)), maxOf(from, to).plus(Duration.ofHours(5)))

    private suspend fun reapplyLocked(reason: ReapplyReason): ReminderDecision {
        if (reason == ReapplyReason.ZONE_CHANGED || reason == ReapplyReason.APP_START || reason == ReapplyReason.BOOT) {
            client.changeDeviceZone(device.zone())
        }
        val plan = client.planNotifications(horizon, budget)
        val now = client.now()
        val headsUp = headsUp()
        val posted = device.posted()
        val earliest = (posted.map { it.dueAt } + now.minus(ReminderScheduler.CATCH_UP_WINDOW)).min()
        val doses = client.doses(earliest.minus(Duration.ofDays(1)), now.plus(Duration.ofHours(5)))
        val decision = scheduler.apply(
            ReminderInput(
                now = now,
                plan = plan,
                applied = AppliedReminders(),
                exactAlarms = device.canScheduleExactAlarms(),
                notificationsEnabled = device.notificationsEnabled(),
                alarmClockMedicines = alarmClock?.get().orEmpty(),
                reason = reason,
                doses = doses,
                posted = posted,
                headsUp = headsUp,
            ),
        )
        notice = decision.notice
        return decision
    }

    /** Defaults. */
    companion object {
        /** How long Snooze puts a reminder off. */
        val DEFAULT_SNOOZE: Duration = Duration.ofMinutes(10)

        /**
         * Before the first unlock after a reboot the database cannot be opened (its key is in
         * credential-protected storage). From the device-protected copy of what was armed, the
         * alarms still to come are armed again with neutral text and no actions, and the ones
         * that came due during the last [ReminderScheduler.CATCH_UP_WINDOW] are listed to show
         * at once (the latest per group). BOOT_COMPLETED, after the unlock, replaces all of them
         * with the real plan.
         */
        fun lockedBoot(copy: AppliedReminders, now: Instant, title: String, body: String): LockedBootAlarms {
            val future = copy.reminders.filter { it.fireAt > now }
                .map { ReminderContent(it, title, body, answerable = false) }
            val passed = copy.reminders
                .filter { it.fireAt <= now && it.fireAt >= now.minus(ReminderScheduler.CATCH_UP_WINDOW) }
                .groupBy { it.group }.map { (_, group) -> group.maxBy { it.fireAt } }.sortedBy { it.fireAt }
            val refresh = copy.refreshAt?.takeIf { it > now }
            return LockedBootAlarms(future, passed, refresh)
        }
    }
}

/**
 * What to do before the first unlock.
 *
 * @property arm alarms to arm again, with neutral text.
 * @property showNow reminders that came due while the phone was off.
 * @property refreshAt the refresh alarm, if still to come.
 */
data class LockedBootAlarms(val arm: List<ReminderContent>, val showNow: List<ArmedReminder>, val refreshAt: Instant?)
