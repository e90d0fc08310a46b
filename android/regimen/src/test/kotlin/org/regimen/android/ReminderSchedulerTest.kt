// The applier's decision at pinned instants, on hand-made plans (the bindings' own records):
// what a phone arms, replaces, cancels, shows at once and dismisses.
package org.regimen.android

import java.io.File
import java.nio.file.Path
import java.time.Duration
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

class ReminderSchedulerTest {
    @TempDir
    lateinit var dir: Path

    private val now = Instant.parse("2025-03-10T07:00:00Z")
    private val eight = Instant.parse("2025-03-10T08:00:00Z")
    private val dose = planned(101, NotificationKind.DOSE, eight)
    private val followUp1 = planned(102, NotificationKind.FOLLOW_UP, eight.plusSeconds(600), eight)
    private val followUp2 = planned(103, NotificationKind.FOLLOW_UP, eight.plusSeconds(1200), eight)
    private val evening = planned(201, NotificationKind.DOSE, eight.plus(Duration.ofHours(12)), medicines = listOf(2L))
    private val plan = planOf(eight.plus(Duration.ofDays(2)), dose, followUp1, followUp2, evening)

    private fun input(
        plan: NotificationPlan,
        applied: AppliedReminders,
        exact: Boolean = true,
        reason: ReapplyReason = ReapplyReason.CHANGE,
        at: Instant = now,
        doses: List<ScheduledDose> = emptyList(),
        posted: List<PostedReminder> = emptyList(),
        alarmClock: Set<Long> = emptySet(),
    ) = ReminderInput(
        now = at,
        plan = plan,
        applied = applied,
        exactAlarms = exact,
        alarmClockMedicines = alarmClock,
        reason = reason,
        doses = doses,
        posted = posted,
    )

    private fun decide(input: ReminderInput) = ReminderScheduler.decide(input, TEST_KEY)

    @Test
    fun `a plan applied twice changes nothing`() {
        val first = decide(input(plan, AppliedReminders()))
        assertEquals(listOf(101, 102, 103, 201), first.arm.map { it.reminder.platformId })
        assertTrue(first.rearmRefresh)
        val second = decide(input(plan, first.applied))
        assertEquals(0, second.changes)
        assertEquals(4, second.unchanged.size)
        assertEquals(first.applied, second.applied)
    }

    @Test
    fun `through the scheduler the second apply makes no alarm call, even in a new process`() {
        val file = File(dir.toFile(), "applied")
        val port = FakePort()
        ReminderScheduler(port, FileAppliedStore(file), TEST_KEY).apply(input(plan, AppliedReminders()))
        assertEquals(4, port.armed.size)
        port.reset()
        // A new process: a new store and scheduler over the same file.
        val decision = ReminderScheduler(port, FileAppliedStore(file), TEST_KEY).apply(input(plan, AppliedReminders()))
        assertEquals(0, port.alarmCalls)
        assertEquals(0, decision.changes)
    }

    @Test
    fun `a re-plan without a dose's follow-ups cancels exactly them`() {
        val applied = decide(input(plan, AppliedReminders())).applied
        val after = decide(input(planOf(plan.refreshAt, dose, evening), applied))
        assertEquals(listOf(102, 103), after.cancel.map { it.platformId })
        assertTrue(after.arm.isEmpty() && after.replace.isEmpty())
        assertEquals(listOf(101, 201), after.unchanged.map { it.platformId })
    }

    @Test
    fun `a changed text or time replaces the alarm under the same platform id`() {
        val applied = decide(input(plan, AppliedReminders())).applied
        val fuller = dose.copy(body = "Metformin 500 mg")
        val later = evening.copy(fireAt = evening.fireAt.plusSeconds(60))
        val after = decide(input(planOf(plan.refreshAt, fuller, followUp1, followUp2, later), applied))
        assertEquals(listOf(101, 201), after.replace.map { it.reminder.platformId })
        assertEquals("Metformin 500 mg", after.replace[0].body)
        assertTrue(after.cancel.isEmpty() && after.arm.isEmpty())
    }

    @Test
    fun `a denied exact-alarm permission gives inexact alarms and a visible notice, and granting it makes them exact`() {
        val denied = decide(input(plan, AppliedReminders(), exact = false, alarmClock = setOf(1L)))
        assertTrue(denied.arm.all { it.reminder.mode == AlarmMode.INEXACT }, "setAlarmClock needs the permission too")
        assertEquals(ReminderNotice.ExactAlarmsDenied(inexact = 4), denied.notice)
        assertEquals(AlarmMode.INEXACT, denied.refreshMode)

        val granted = decide(input(plan, denied.applied, exact = true, reason = ReapplyReason.EXACT_ALARM_PERMISSION))
        assertEquals(4, granted.replace.size)
        assertTrue(granted.replace.all { it.reminder.mode == AlarmMode.EXACT })
        assertNull(granted.notice)
        assertTrue(granted.rearmRefresh)
    }

    @Test
    fun `blocked notifications are told even with exact alarms`() {
        val decision = ReminderScheduler.decide(input(plan, AppliedReminders()).copy(notificationsEnabled = false), TEST_KEY)
        assertEquals(ReminderNotice.NotificationsBlocked, decision.notice)
        assertEquals(4, decision.arm.size, "armed anyway, so they ring once notifications are allowed")
    }

    @Test
    fun `a medicine marked as an alarm rings through setAlarmClock, its heads-up and the others exactly`() {
        val headsUp = planned(100, NotificationKind.HEADS_UP, eight.minusSeconds(900), eight)
        val decision = decide(input(planOf(plan.refreshAt, headsUp, dose, followUp1, evening), AppliedReminders(), alarmClock = setOf(1L)))
        val modes = decision.arm.associate { it.reminder.platformId to it.reminder.mode }
        assertEquals(
            mapOf(100 to AlarmMode.EXACT, 101 to AlarmMode.ALARM_CLOCK, 102 to AlarmMode.ALARM_CLOCK, 201 to AlarmMode.EXACT),
            modes,
        )
    }

    @Test
    fun `an alarm whose time passed leaves the record and is cancelled only if its dose was answered`() {
        val applied = decide(input(plan, AppliedReminders())).applied
        // 08:15: the dose alarm and the first follow-up fired; the plan now starts at the second.
        val at = eight.plusSeconds(900)
        val still = decide(input(planOf(plan.refreshAt, followUp2, evening), applied, at = at, doses = listOf(doseAt(1, eight, DoseStatus.DUE))))
        assertTrue(still.cancel.isEmpty(), "an inexact alarm still on its way may ring")
        val answered = decide(input(planOf(plan.refreshAt, evening), applied, at = at, doses = listOf(doseAt(1, eight, DoseStatus.TAKEN))))
        assertEquals(listOf(101, 102, 103), answered.cancel.map { it.platformId })
        assertEquals(listOf(201), answered.applied.reminders.map { it.platformId })
    }

    @Test
    fun `after a reboot every alarm is armed again and an open dose that came due meanwhile is shown once`() {
        val applied = decide(input(plan, AppliedReminders())).applied
        val at = eight.plusSeconds(900)
        val rest = planOf(plan.refreshAt, followUp2, evening)
        val open = listOf(doseAt(1, eight, DoseStatus.DUE))
        val boot = decide(input(rest, applied, at = at, reason = ReapplyReason.BOOT, doses = open))
        assertEquals(listOf(103, 201), boot.replace.map { it.reminder.platformId })
        assertEquals(listOf(102), boot.showNow.map { it.platformId }, "the latest of the dose's group only")
        assertTrue(boot.rearmRefresh)

        val taken = decide(input(rest, applied, at = at, reason = ReapplyReason.BOOT, doses = listOf(doseAt(1, eight, DoseStatus.TAKEN))))
        assertTrue(taken.showNow.isEmpty())
        val notBoot = decide(input(rest, applied, at = at, reason = ReapplyReason.APP_START, doses = open))
        assertTrue(notBoot.showNow.isEmpty(), "only a reboot is known to have dropped alarms that came due")
    }

    @Test
    fun `a reminder on screen is dismissed once its doses are answered, not while one is open`() {
        val shown = PostedReminder("dose/1", NotificationKind.DOSE, listOf(1L, 2L), eight, eight)
        val applied = decide(input(plan, AppliedReminders())).applied
        val oneOpen = listOf(doseAt(1, eight, DoseStatus.TAKEN), doseAt(2, eight, DoseStatus.DUE))
        assertTrue(decide(input(plan, applied, at = eight, doses = oneOpen, posted = listOf(shown))).dismiss.isEmpty())
        val bothAnswered = listOf(doseAt(1, eight, DoseStatus.TAKEN), doseAt(2, eight, DoseStatus.SKIPPED))
        assertEquals(listOf(shown), decide(input(plan, applied, at = eight, doses = bothAnswered, posted = listOf(shown))).dismiss)
        val snoozed = listOf(doseAt(1, eight, DoseStatus.SNOOZED), doseAt(2, eight, DoseStatus.TAKEN))
        assertEquals(listOf(shown), decide(input(plan, applied, at = eight, doses = snoozed, posted = listOf(shown))).dismiss)
    }

    @Test
    fun `the refresh alarm follows refresh_at and is set again only when it moves`() {
        val first = decide(input(plan, AppliedReminders()))
        assertEquals(plan.refreshAt, first.refreshAt)
        val same = decide(input(plan, first.applied))
        assertFalse(same.rearmRefresh)
        val sooner = decide(input(planOf(eight.plus(Duration.ofHours(3)), dose, followUp1, followUp2, evening), first.applied))
        assertTrue(sooner.rearmRefresh)
        assertEquals(eight.plus(Duration.ofHours(3)), sooner.refreshAt)
        val past = decide(input(planOf(now.minusSeconds(5), dose), first.applied))
        assertEquals(now.plusSeconds(60), past.refreshAt, "never a refresh loop")
    }

    @Test
    fun `fingerprints depend on the key, so the record on disk says nothing about the texts`() {
        val a = ReminderScheduler.armed(dose, AlarmMode.EXACT, TEST_KEY)
        val b = ReminderScheduler.armed(dose, AlarmMode.EXACT, ByteArray(32) { 8 })
        assertTrue(a.fingerprint != b.fingerprint)
        assertEquals(a, ReminderScheduler.armed(dose, AlarmMode.EXACT, TEST_KEY))
        assertTrue(a.fingerprint != ReminderScheduler.armed(dose.copy(title = "Metformin"), AlarmMode.EXACT, TEST_KEY).fingerprint)
    }

    @Test
    fun `caregiver alerts are exact, go to the caregiver channel and carry no dose actions`() {
        val alert = planned(301, NotificationKind.CAREGIVER_ALERT, eight.plus(Duration.ofHours(1)), eight, shareId = 4)
        val decision = decide(input(planOf(plan.refreshAt, alert), AppliedReminders(), alarmClock = setOf(1L)))
        val armed = decision.arm.single()
        assertEquals(AlarmMode.EXACT, armed.reminder.mode)
        assertEquals(ReminderChannel.CAREGIVER, armed.channel)
        assertFalse(armed.answerable)
    }
}
