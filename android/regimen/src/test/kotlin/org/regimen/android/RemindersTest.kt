// The reminder loop against the real library: real plans from a Regimen on a temp file, applied
// through the scheduler to a fake AlarmManager. Times are relative to the wall clock (the
// library reads it), so nothing here depends on when the test runs.
package org.regimen.android

import java.io.File
import java.nio.file.Path
import java.time.Duration
import java.time.LocalDate
import java.time.LocalTime
import java.time.ZoneId
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.bindings.core.Phase
import org.regimen.bindings.core.Timing
import org.regimen.bindings.core.TimingRepeat
import org.regimen.bindings.core.UnitOfTime
import org.regimen.bindings.core.ZonePolicy

class RemindersTest {
    @TempDir
    lateinit var dir: Path

    private val port = FakePort()
    private val device = FakeDevice(port = port)
    private val opened = mutableListOf<RegimenClient>()

    @AfterEach
    fun close() = opened.forEach { it.close() }

    private fun client(zone: () -> ZoneId = { device.zone }): RegimenClient = runBlocking {
        RegimenClient.open(
            File(dir.toFile(), "patient.db").path,
            WrappedKeyStore(File(dir.toFile(), "keys"), SoftwareWrapper()),
            zone = zone,
        )
    }.also { opened += it }

    private fun reminders(client: RegimenClient, budget: Int = 64, logged: () -> Unit = {}) = Reminders(
        client,
        ReminderScheduler(port, FileAppliedStore(File(dir.toFile(), "applied"), File(dir.toFile(), "boot-copy")), TEST_KEY),
        device,
        AlarmClockMedicines(File(dir.toFile(), "alarm-clock")),
        afterLog = logged,
        budget = budget,
    )

    @Test
    fun `logging a due dose cancels exactly its follow-ups`() = runBlocking {
        val client = client()
        val first = thisMinute().minusSeconds(300)
        val amoxicillin = client.addMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(first, Duration.ofHours(6)))
        client.addMedicine(MedicineInfo(name = "Metformin"), everyFrom(first.plus(Duration.ofHours(1)), Duration.ofHours(12)))
        val reminders = reminders(client)
        reminders.reapply(ReapplyReason.APP_START)
        val followUps = port.armed.values.map { it.reminder }
            .filter { it.kind == NotificationKind.FOLLOW_UP && it.dueAt == first }
        assertTrue(followUps.isNotEmpty())
        assertTrue(followUps.all { it.medicineIds == listOf(amoxicillin.id) })
        port.reset()

        val due = client.doses(first, first.plusSeconds(1)).single()
        client.take(due)
        val decision = reminders.reapply(ReapplyReason.CHANGE)
        assertEquals(followUps.map { it.platformId }.toSet(), port.cancelCalls.map { it.platformId }.toSet())
        assertTrue(decision.arm.isEmpty() && decision.replace.isEmpty(), "nothing else changes")
    }

    @Test
    fun `a smaller budget cancels the dropped reminders and keeps every medicine's next dose`() = runBlocking {
        val client = client()
        val start = thisMinute().plus(Duration.ofHours(1))
        val a = client.addMedicine(MedicineInfo(name = "A"), everyFrom(start, Duration.ofHours(6)))
        val b = client.addMedicine(MedicineInfo(name = "B"), everyFrom(start.plus(Duration.ofHours(2)), Duration.ofHours(8)))
        reminders(client, budget = 64).reapply(ReapplyReason.APP_START)
        val before = port.armed.values.map { it.reminder }
        assertTrue(before.size > 3)
        port.reset()

        val decision = reminders(client, budget = 3).reapply(ReapplyReason.CHANGE)
        val kept = port.armed.values.map { it.reminder }
        assertEquals(3, kept.size)
        assertEquals((before - kept.toSet()).map { it.platformId }.toSet(), port.cancelCalls.map { it.platformId }.toSet())
        assertTrue(port.armCalls.isEmpty(), "the kept ones are left alone")
        assertEquals(setOf(a.id, b.id), kept.filter { it.kind == NotificationKind.DOSE }.flatMap { it.medicineIds }.toSet())
        assertTrue(decision.refreshAt <= before.filter { it !in kept }.minOf { it.fireAt }, "planned again before a dropped one is due")
    }

    @Test
    fun `a time-zone change moves local-time doses to the same clock time in the new zone`() = runBlocking {
        val client = client()
        val berlin = ZoneId.of("Europe/Berlin")
        val newYork = ZoneId.of("America/New_York")
        device.zone = berlin
        val local = Schedule(
            start = LocalDate.now(berlin).minusDays(1).toString() + "T00:00",
            zone = berlin.id,
            policy = ZonePolicy.LOCAL,
            phases = listOf(
                Phase(timing = Timing(repeat = TimingRepeat(frequency = 1u, period = 1.0, periodUnit = UnitOfTime.D, timeOfDay = listOf("08:00")))),
            ),
        )
        val med = client.addMedicine(MedicineInfo(name = "Levothyroxine"), local)
        val reminders = reminders(client)
        reminders.reapply(ReapplyReason.APP_START)
        val inBerlin = port.armed.values.map { it.reminder }.filter { it.kind == NotificationKind.DOSE }
        assertTrue(inBerlin.isNotEmpty())
        assertTrue(inBerlin.all { it.fireAt.atZone(berlin).toLocalTime() == LocalTime.of(8, 0) })
        port.reset()

        device.zone = newYork
        reminders.reapply(ReapplyReason.ZONE_CHANGED)
        val inNewYork = port.armed.values.map { it.reminder }.filter { it.kind == NotificationKind.DOSE }
        assertTrue(inNewYork.isNotEmpty())
        assertTrue(inNewYork.all { it.fireAt.atZone(newYork).toLocalTime() == LocalTime.of(8, 0) && it.medicineIds == listOf(med.id) })
        assertTrue(port.cancelCalls.map { it.platformId }.containsAll(inBerlin.map { it.platformId }), "the Berlin alarms are gone")
        assertTrue(port.armed.values.none { it.reminder in inBerlin })
    }

    @Test
    fun `an action intent delivered twice logs the dose once, cancels its follow-ups and dismisses it`() = runBlocking {
        val client = client()
        val first = thisMinute().minusSeconds(300)
        val med = client.addMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(first, Duration.ofHours(6)))
        var outboxRuns = 0
        val reminders = reminders(client) { outboxRuns++ }
        reminders.reapply(ReapplyReason.APP_START)
        val followUp = port.armed.values.map { it.reminder }.first { it.kind == NotificationKind.FOLLOW_UP && it.dueAt == first }
        port.posted += ReminderIntents.posted(followUp)

        // What the notification's Taken button carries, as Intent extras would.
        val extras = ReminderIntents.actionExtras(ReminderAction(ReminderAnswer.TAKEN, followUp))
        val action = ReminderIntents.action(extras::get)!!
        val once = reminders.answer(action)
        val twice = reminders.answer(ReminderIntents.action(extras::get)!!)

        assertEquals(listOf(med.id), once.logged)
        assertEquals(listOf(med.id), twice.alreadyAnswered)
        assertTrue(twice.logged.isEmpty())
        val events = client.adherence(first.minusSeconds(60), client.now().plusSeconds(60))
        assertEquals(1u, events.overall.takenOnTime)
        assertEquals(1, outboxRuns, "the caregiver outbox is sent once")
        assertTrue(port.armed.values.none { it.reminder.dueAt == first && it.reminder.kind == NotificationKind.FOLLOW_UP })
        assertTrue(port.posted.isEmpty(), "the notification left the screen")
    }

    @Test
    fun `snooze from a reminder puts the dose off once and its reminder comes back at the snooze's end`() = runBlocking {
        val client = client()
        val first = thisMinute().minusSeconds(300)
        val med = client.addMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(first, Duration.ofHours(6)))
        val reminders = reminders(client)
        reminders.reapply(ReapplyReason.APP_START)
        val followUp = port.armed.values.map { it.reminder }.first { it.kind == NotificationKind.FOLLOW_UP && it.dueAt == first }
        val action = ReminderAction(ReminderAnswer.SNOOZE, followUp)
        assertEquals(listOf(med.id), reminders.answer(action, Duration.ofMinutes(30)).logged)
        assertEquals(listOf(med.id), reminders.answer(action, Duration.ofMinutes(30)).alreadyAnswered)
        val back = port.armed.values.map { it.reminder }.filter { it.kind == NotificationKind.DOSE && it.dueAt == first }
        assertEquals(1, back.size)
        assertTrue(Duration.between(client.now(), back[0].fireAt) in Duration.ofMinutes(29)..Duration.ofMinutes(30))
    }

    @Test
    fun `a reminder that fires after its dose was taken is not posted`() = runBlocking {
        val client = client()
        val first = thisMinute().minusSeconds(300)
        client.addMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(first, Duration.ofHours(6)))
        val reminders = reminders(client)
        reminders.reapply(ReapplyReason.APP_START)
        val content = port.armed.values.first { it.reminder.kind == NotificationKind.FOLLOW_UP && it.reminder.dueAt == first }
        val posted = mutableListOf<ReminderContent>()
        assertTrue(reminders.fired(content) { posted += it })
        client.take(client.doses(first, first.plusSeconds(1)).single())
        assertFalse(reminders.fired(content) { posted += it })
        assertEquals(1, posted.size)
    }

    @Test
    fun `before the first unlock the boot copy re-arms what was armed, in neutral words`() = runBlocking {
        val client = client()
        client.setPrivacy(PrivacyLevel.FULL)
        client.addMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(thisMinute().plus(Duration.ofHours(1)), Duration.ofHours(6)))
        reminders(client).reapply(ReapplyReason.APP_START)
        val armed = port.armed.values.toList()
        assertTrue(armed.any { it.body.contains("Amoxicillin") }, "full names at this privacy level")

        val copyFile = File(dir.toFile(), "boot-copy")
        assertFalse(copyFile.readText().contains("Amoxicillin"))
        assertFalse(File(dir.toFile(), "applied").readText().contains("Amoxicillin"))
        val copy = FileAppliedStore.readBootCopy(copyFile)!!
        val locked = Reminders.lockedBoot(copy, client.now(), "Medicine reminder", "Unlock your phone to see it")
        assertEquals(armed.map { it.reminder.platformId }, locked.arm.map { it.reminder.platformId })
        assertTrue(locked.arm.all { !it.answerable && it.body == "Unlock your phone to see it" })
        assertEquals(armed.map { it.reminder.fireAt }, locked.arm.map { it.reminder.fireAt })
    }

    @Test
    fun `an unreadable record makes the next apply arm every reminder again`() = runBlocking {
        val client = client()
        client.addMedicine(MedicineInfo(name = "A"), everyFrom(thisMinute().plus(Duration.ofHours(1)), Duration.ofHours(6)))
        reminders(client).reapply(ReapplyReason.APP_START)
        val count = port.armed.size
        port.reset()
        File(dir.toFile(), "applied").writeText("garbage")
        reminders(client).reapply(ReapplyReason.ALARM)
        assertEquals(count, port.armCalls.size)
    }
}
