// Kotlin tests that printing a record (toString, as an app's Log.d("$x") does) never shows
// health data: medicine names, amounts, notes, genotypes, warning texts, reminder texts.
package org.regimen.tests

import java.time.Duration
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.regimen.bindings.Regimen
import org.regimen.bindings.RegimenConfig
import org.regimen.bindings.core.DoseAction
import org.regimen.bindings.core.MedicineInfo
import org.regimen.bindings.core.NewDoseEvent
import org.regimen.bindings.core.Phase
import org.regimen.bindings.core.PrivacyLevel
import org.regimen.bindings.core.Quantity
import org.regimen.bindings.core.Schedule
import org.regimen.bindings.core.Timing
import org.regimen.bindings.core.TimingRepeat
import org.regimen.bindings.core.UnitOfTime
import org.regimen.bindings.core.ZonePolicy

class PrintingBindingsTest {
    private val secrets = listOf("Abacavir", "abacavir", "Triumeq", "57:01", "HLA-B", "dizzy", "3 tablets", "3.0")

    private fun assertClean(printed: String) {
        for (secret in secrets) {
            assertFalse(printed.contains(secret), "\"$secret\" printed in: $printed")
        }
    }

    @Test
    fun `printed records show ids and kinds, never names, amounts, notes or genotypes`() {
        Regimen.openInMemory(RegimenConfig()).use { regimen ->
            val now = Instant.parse("2026-03-10T07:30:00Z")
            regimen.setNow(now)
            regimen.changeDeviceZone("UTC", Duration.ofDays(1))
            val settings = regimen.settings()
            regimen.updateSettings(settings.copy(reminders = settings.reminders.copy(privacy = PrivacyLevel.FULL)))
            val info = MedicineInfo(name = "Triumeq", strength = "600/50/300 mg", instructions = "if dizzy, sit down")
            val schedule = Schedule(
                start = "2026-03-01T00:00",
                zone = "UTC",
                policy = ZonePolicy.LOCAL,
                phases = listOf(
                    Phase(
                        timing = Timing(repeat = TimingRepeat(frequency = 1u, period = 1.0, periodUnit = UnitOfTime.D, timeOfDay = listOf("08:00"))),
                        dose = Quantity(3.0, "tablet"),
                    ),
                ),
            )
            val medicine = regimen.addScheduledMedicine(info, schedule)
            regimen.importPgx("gene,result\nHLA-B*57:01,positive\n")

            val logged = regimen.logDose(
                NewDoseEvent(medicine.id, DoseAction.TAKEN, now, scheduledAt = Instant.parse("2026-03-10T08:00:00Z"), note = "felt dizzy", amount = Quantity(3.0, "tablet")),
            )
            val plan = regimen.planNotifications(Duration.ofDays(2), 64u)
            // The texts themselves carry what the patient chose to show...
            assertTrue(plan.notifications.any { it.body.contains("Triumeq") })
            val warning = regimen.warnings().first()
            assertTrue(warning.title.contains("abacavir"))
            // ...but printing them shows none of it.
            val printed = listOf(
                info, medicine, schedule, logged, logged.event, plan, plan.notifications.first(), warning,
                regimen.pgxResults(false), regimen.day("2026-03-11"), Quantity(3.0, "tablet"),
                regimen.searchDrugs("abaca", 5u),
            ).map { it.toString() }
            printed.forEach(::assertClean)
            assertTrue(printed[4].contains("medicine_id=${medicine.id}"), printed[4])
            // The patient-facing wording is asked for on purpose.
            assertEquals("3 tablets", Quantity(3.0, "tablet").describe())
        }
    }
}
