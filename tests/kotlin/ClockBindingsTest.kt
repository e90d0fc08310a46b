// Kotlin tests of what an app test suite leans on: a database in memory, a pinned clock, typed
// errors for out-of-range instants, dates and times, and notification ids that never collide
// between two databases on one phone.
package org.regimen.tests

import java.time.Duration
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.regimen.bindings.Regimen
import org.regimen.bindings.RegimenConfig
import org.regimen.bindings.core.RegimenException
import org.regimen.bindings.core.DoseStatus
import org.regimen.bindings.core.MedicineInfo
import org.regimen.bindings.core.Phase
import org.regimen.bindings.core.Schedule
import org.regimen.bindings.core.Timing
import org.regimen.bindings.core.TimingRepeat
import org.regimen.bindings.core.UnitOfTime
import org.regimen.bindings.core.ZonePolicy

class ClockBindingsTest {
    /** 08:00 and 20:00 in Berlin, every day from 1 March 2026. */
    private fun twiceDailyIn(zone: String, times: List<String> = listOf("08:00", "20:00")) = Schedule(
        start = "2026-03-01T00:00",
        zone = zone,
        policy = ZonePolicy.LOCAL,
        phases = listOf(
            Phase(
                timing = Timing(
                    repeat = TimingRepeat(frequency = 1u, period = 1.0, periodUnit = UnitOfTime.D, timeOfDay = times),
                ),
            ),
        ),
    )

    @Test
    fun `a pinned clock decides what is due and can be moved and released`() {
        Regimen.openInMemory(RegimenConfig()).use { regimen ->
            regimen.setNow(Instant.parse("2026-03-10T06:30:00Z"))
            regimen.changeDeviceZone("Europe/Berlin", Duration.ofDays(1))
            val medicine = regimen.addScheduledMedicine(MedicineInfo(name = "Levothyroxine"), twiceDailyIn("Europe/Berlin"))

            // 07:30 in Berlin: the 08:00 dose is still to come.
            val day = regimen.day("2026-03-10")
            assertEquals(listOf(Instant.parse("2026-03-10T07:00:00Z"), Instant.parse("2026-03-10T19:00:00Z")), day.map { it.dueAt })
            assertEquals(DoseStatus.UPCOMING, day[0].status)
            assertEquals(medicine.id, day[0].medicineId)

            // 08:10 in Berlin: the same dose is now due.
            regimen.setNow(Instant.parse("2026-03-10T07:10:00Z"))
            assertEquals(DoseStatus.DUE, regimen.day("2026-03-10")[0].status)
            val plan = regimen.planNotifications(Duration.ofHours(24), 64u)
            assertTrue(plan.notifications.isNotEmpty())
            assertTrue(plan.notifications.all { it.fireAt >= Instant.parse("2026-03-10T07:10:00Z") })

            // Back to the system clock: the dose of March 2026 is long past.
            regimen.setNow(null)
            assertTrue(regimen.day("2026-03-10")[0].status != DoseStatus.UPCOMING)
        }
    }

    @Test
    fun `two databases in memory are separate and their notification ids never collide`() {
        val instant = Instant.parse("2026-03-10T06:30:00Z")
        val plans = (1..2).map {
            Regimen.openInMemory(RegimenConfig()).use { regimen ->
                regimen.setNow(instant)
                regimen.changeDeviceZone("Europe/Berlin", Duration.ofDays(1))
                assertEquals(0, regimen.medicines(false).size)
                regimen.addScheduledMedicine(MedicineInfo(name = "Levothyroxine"), twiceDailyIn("Europe/Berlin"))
                regimen.planNotifications(Duration.ofHours(24), 64u)
            }
        }
        val (first, second) = plans
        assertEquals(first.notifications.map { it.fireAt }, second.notifications.map { it.fireAt })
        assertTrue(first.notifications.isNotEmpty())
        val firstIds = first.notifications.map { it.id }.toSet()
        assertTrue(second.notifications.none { it.id in firstIds })
        val firstPlatformIds = first.notifications.map { it.platformId }.toSet()
        assertTrue(second.notifications.none { it.platformId in firstPlatformIds })
    }

    @Test
    fun `instants, dates and times out of range are InvalidInput, not a crash`() {
        Regimen.openInMemory(RegimenConfig()).use { regimen ->
            regimen.changeDeviceZone("UTC", Duration.ofDays(1))
            // An instant before 1900 or after 2199.
            for (instant in listOf(Instant.parse("1899-12-31T23:59:59Z"), Instant.parse("2300-01-01T00:00:00Z"), Instant.MAX)) {
                assertThrows(RegimenException.InvalidInput::class.java) { regimen.setNow(instant) }
                assertThrows(RegimenException.InvalidInput::class.java) {
                    regimen.doses(instant, Instant.parse("2026-03-10T00:00:00Z"))
                }
            }
            // Dates that are no date, or out of range.
            for (date in listOf("2026-02-30", "10-03-2026", "1850-01-01", "", "2026-03-10T00:00")) {
                assertThrows(RegimenException.InvalidInput::class.java) { regimen.day(date) }
            }
            // Wall-clock times and starts that are no time.
            for (time in listOf("24:00", "8 am", "08:60", "")) {
                assertThrows(RegimenException.InvalidInput::class.java) {
                    regimen.addScheduledMedicine(MedicineInfo(name = "Levothyroxine"), twiceDailyIn("UTC", listOf(time)))
                }
            }
            assertThrows(RegimenException.InvalidInput::class.java) {
                regimen.addScheduledMedicine(
                    MedicineInfo(name = "Levothyroxine"),
                    twiceDailyIn("UTC").copy(start = "2026-03-01 noon"),
                )
            }
            // Nothing half-stored on the way.
            assertEquals(0, regimen.medicines(true).size)
        }
    }
}
