// Kotlin tests of schedules through the generated bindings: plan a day, log doses, read
// adherence, import FHIR, and typed errors for bad schedules.
package org.regimen.tests

import java.nio.file.Path
import java.time.Duration
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.temporal.ChronoUnit
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.bindings.Regimen
import org.regimen.bindings.RegimenConfig
import org.regimen.bindings.core.RegimenException
import org.regimen.bindings.core.AsNeeded
import org.regimen.bindings.core.AsNeededRule
import org.regimen.bindings.core.DoseAction
import org.regimen.bindings.core.DoseStatus
import org.regimen.bindings.core.MaxDose
import org.regimen.bindings.core.MedicineInfo
import org.regimen.bindings.core.NewDoseEvent
import org.regimen.bindings.core.NotificationKind
import org.regimen.bindings.core.Phase
import org.regimen.bindings.core.Quantity
import org.regimen.bindings.core.Schedule
import org.regimen.bindings.core.Timing
import org.regimen.bindings.core.TimingCode
import org.regimen.bindings.core.TimingRepeat
import org.regimen.bindings.core.UnitOfTime
import org.regimen.bindings.core.Window
import org.regimen.bindings.core.ZonePolicy

class ScheduleBindingsTest {
    @TempDir
    lateinit var dir: Path

    private fun open() = Regimen.open(dir.resolve("patient.db").toString(), RegimenConfig(), MemoryKeyStore())

    /** Every 6 hours of real time, the first dose five minutes ago (UTC wall clock). */
    private fun everySixHoursFrom(first: Instant) = Schedule(
        start = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").format(first.atZone(ZoneOffset.UTC)),
        zone = "UTC",
        policy = ZonePolicy.ELAPSED,
        phases = listOf(
            Phase(timing = Timing(repeat = TimingRepeat(frequency = 1u, period = 6.0, periodUnit = UnitOfTime.H))),
        ),
    )

    @Test
    fun `a due dose has follow-ups until it is logged, then counts as taken`() {
        open().use { regimen ->
            regimen.changeDeviceZone("UTC", Duration.ofDays(1))
            val now = Instant.now()
            val first = now.minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MINUTES)
            val medicine = regimen.addScheduledMedicine(MedicineInfo(name = "Amoxicillin"), everySixHoursFrom(first))

            val doses = regimen.doses(first, first.plus(Duration.ofHours(13)))
            assertEquals(3, doses.size)
            assertEquals(DoseStatus.DUE, doses[0].status)
            assertEquals(first, doses[0].dueAt)

            val plan = regimen.planNotifications(Duration.ofHours(13), 64u)
            assertTrue(plan.notifications.any { it.kind == NotificationKind.FOLLOW_UP })
            assertTrue(plan.notifications.all { !it.body.contains("Amoxicillin") })
            assertEquals(plan.notifications.map { it.fireAt }.sorted(), plan.notifications.map { it.fireAt })

            val logged = regimen.logDose(NewDoseEvent(medicine.id, DoseAction.TAKEN, now, scheduledAt = first))
            assertEquals(null, logged.warning)
            val after = regimen.planNotifications(Duration.ofHours(13), 64u)
            assertFalse(after.notifications.any { it.kind == NotificationKind.FOLLOW_UP && it.dueAt == first })

            val report = regimen.adherence(first, now.plusSeconds(60))
            assertEquals(1u, report.overall.takenOnTime)
            assertEquals(0u, report.overall.missed)
        }
    }

    @Test
    fun `a bad schedule is InvalidInput naming the field and adds no medicine`() {
        open().use { regimen ->
            val bad = everySixHoursFrom(Instant.now()).copy(zone = "Mars/Olympus")
            val error = assertThrows(RegimenException.InvalidInput::class.java) {
                regimen.addScheduledMedicine(MedicineInfo(name = "Metformin"), bad)
            }
            assertEquals("zone", error.field)
            assertTrue(regimen.medicines(true).isEmpty())
        }
    }

    @Test
    fun `a FHIR MedicationRequest imports with its schedule`() {
        open().use { regimen ->
            val json = """
                {"resourceType":"MedicationRequest",
                 "medicationCodeableConcept":{"text":"Metformin 500 mg"},
                 "dosageInstruction":[{"timing":{"code":{"coding":[{
                   "system":"http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation","code":"BID"}]}}}]}
            """.trimIndent()
            val medicine = regimen.importFhir(json, null)
            assertEquals("Metformin 500 mg", medicine.info.name)
            val versions = regimen.scheduleVersions(medicine.id)
            assertEquals(1, versions.size)
            assertEquals(TimingCode.BID, versions[0].schedule!!.phases[0].timing.code)
            val broken = assertThrows(RegimenException.InvalidInput::class.java) {
                regimen.importFhir("""{"resourceType":"Patient"}""", null)
            }
            assertEquals("resourceType", broken.field)
        }
    }

    @Test
    fun `a window beside fixed times is refused, and an as-needed dose counts as prescribed`() {
        Regimen.openInMemory(RegimenConfig()).use { regimen ->
            regimen.setNow(Instant.parse("2026-03-10T06:00:00Z"))
            val fixedWithWindow = Schedule(
                start = "2026-03-10T00:00",
                zone = "UTC",
                policy = ZonePolicy.LOCAL,
                phases = listOf(
                    Phase(
                        timing = Timing(repeat = TimingRepeat(frequency = 1u, period = 1.0, periodUnit = UnitOfTime.D, timeOfDay = listOf("09:00"))),
                        window = Window(start = "08:00", end = "10:00"),
                    ),
                ),
            )
            val refused = assertThrows(RegimenException.InvalidInput::class.java) {
                regimen.addScheduledMedicine(MedicineInfo(name = "Metformin"), fixedWithWindow)
            }
            assertEquals("window", refused.field)

            val prn = Schedule(
                start = "2026-03-10T00:00",
                zone = "UTC",
                policy = ZonePolicy.LOCAL,
                phases = emptyList(),
                asNeeded = AsNeeded(
                    maxPerPeriod = MaxDose(amount = Quantity(1200.0, "mg"), periodHours = 24u),
                    dose = Quantity(2.0, "tablet"),
                ),
            )
            val ibuprofen = regimen.addScheduledMedicine(MedicineInfo(name = "Ibuprofen", strength = "200 mg"), prn)
            val warnings = (6..9).map { hour ->
                val at = Instant.parse("2026-03-10T0$hour:00:00Z")
                regimen.setNow(at)
                regimen.logDose(NewDoseEvent(ibuprofen.id, DoseAction.TAKEN, at)).warning
            }
            assertEquals(listOf(null, null, null), warnings.take(3))
            assertEquals(AsNeededRule.OVER_MAXIMUM, warnings[3]?.rule)
            assertEquals(1600.0, warnings[3]?.takenInPeriod?.value)
        }
    }
}
