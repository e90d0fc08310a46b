// The facade through the real library: calls leave the caller's thread, the flows a screen
// watches emit again after each change, failures map to what the app can do.
package org.regimen.android

import java.io.File
import java.nio.file.Path
import java.time.Clock
import java.time.Duration
import java.time.Instant
import java.time.ZoneOffset
import java.util.concurrent.Executors
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.bindings.KeyStoreException
import org.regimen.bindings.core.RegimenException
import org.regimen.bindings.core.WarningKind

class RegimenClientTest {
    @TempDir
    lateinit var dir: Path

    @Test
    fun `a call from the main thread runs the library on another thread`() {
        val keyStoreThreads = mutableListOf<String>()
        val keys = object : KeyStore {
            val inner = WrappedKeyStore(File(dir.toFile(), "keys"), SoftwareWrapper())

            override fun loadKey(alias: String): ByteArray? {
                keyStoreThreads += Thread.currentThread().name
                return inner.loadKey(alias)
            }

            override fun saveKey(alias: String, key: ByteArray) = inner.saveKey(alias, key)

            override fun deleteKey(alias: String) = inner.deleteKey(alias)
        }
        val main = Executors.newSingleThreadExecutor { Thread(it, "main") }
        try {
            runBlocking(main.asCoroutineDispatcher()) {
                RegimenClient.open(File(dir.toFile(), "patient.db").path, keys).use { client ->
                    val medicine = client.addMedicine(MedicineInfo(name = "Metformin"))
                    assertEquals("Metformin", client.medicines().single().info.name)
                    assertEquals(medicine.id, client.medicines().single().id)
                    assertEquals("main", Thread.currentThread().name)
                }
            }
        } finally {
            main.shutdown()
        }
        assertTrue(keyStoreThreads.isNotEmpty())
        assertTrue("main" !in keyStoreThreads, "the key store was asked off the main thread: $keyStoreThreads")
    }

    @Test
    fun `today emits the day, then again after a dose is taken through the client`() = runBlocking {
        openClient(dir.toFile()).use { client ->
            val first = thisMinute().minusSeconds(120)
            client.addMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(first, Duration.ofHours(6)))
            val (before, after) = client.today.aroundChange {
                client.take(client.doses(first, first.plusSeconds(1)).single())
            }
            val due = before.doses.single { it.dueAt == first }
            assertEquals(DoseStatus.DUE, due.status)
            assertEquals("Amoxicillin", due.name)
            assertTrue(due.canAnswer)
            assertFalse(due.toString().contains("Amoxicillin"), "names stay out of logs")
            val taken = after.doses.single { it.dueAt == first }
            assertEquals(DoseStatus.TAKEN, taken.status)
            assertFalse(taken.canAnswer)
        }
    }

    @Test
    fun `the dose log exports as CSV with the name quoted and the time in the phone's zone`() = runBlocking {
        openClient(dir.toFile()).use { client ->
            val first = thisMinute().minusSeconds(120)
            client.addMedicine(MedicineInfo(name = "Amoxicillin, 500 mg"), everyFrom(first, Duration.ofHours(6)))
            client.take(client.doses(first, first.plusSeconds(1)).single(), at = first.plusSeconds(60))
            val csv = client.exportDoseLogCsv(first.minusSeconds(3600), first.plusSeconds(3600))
            val lines = csv.split("\r\n").filter { it.isNotEmpty() }
            assertEquals("event,medicine_id,medicine,action,scheduled_at,actual_at", lines[0].split(",").take(6).joinToString(","))
            assertEquals(2, lines.size, csv)
            assertTrue(lines[1].contains(",\"Amoxicillin, 500 mg\",taken,"), lines[1])
            // The test's zone is UTC: times carry +00:00.
            assertTrue(lines[1].contains(first.toString().removeSuffix("Z") + "+00:00"), lines[1])
        }
    }

    @Test
    fun `a diary entry reaches the doctor's report and a delete takes it away`() = runBlocking {
        openClient(dir.toFile()).use { client ->
            val first = thisMinute().minus(Duration.ofHours(3))
            val medicine = client.addMedicine(MedicineInfo(name = "Sertraline"), everyFrom(first, Duration.ofHours(24)))
            val pressure = RegimenClient.parseMeasurement(MeasurementKind.BLOOD_PRESSURE, "142/91")
            assertEquals(org.regimen.bindings.core.Measurement.BloodPressure(142u, 91u), pressure)
            assertThrows(RegimenException.InvalidInput::class.java) {
                RegimenClient.parseMeasurement(MeasurementKind.BLOOD_PRESSURE, "91/142")
            }
            val entry = client.addDiaryEntry(
                NewDiaryEntry(at = thisMinute(), text = "dizzy on standing", medicineId = medicine.id, severity = 3u, measurements = listOf(pressure)),
            )
            val window = first to thisMinute().plusSeconds(60)
            assertEquals(listOf(entry), client.diaryEntries(window.first, window.second))
            val today = java.time.LocalDate.now(ZoneOffset.UTC)
            val report = client.doctorReportHtml(today.minusDays(1), today)
            assertTrue(report.contains("Sertraline") && report.contains("dizzy on standing") && report.contains("142/91"), report)
            assertFalse(report.contains("<script"), "the report runs nothing")
            client.deleteDiaryEntry(entry.id)
            assertEquals(listOf<DiaryEntry>(), client.diaryEntries(window.first, window.second))
        }
    }

    @Test
    fun `a FHIR export fills a new phone's empty database with the same medicines and doses`() = runBlocking {
        val first = thisMinute().minusSeconds(120)
        val (bundle, medicines) = openClient(dir.toFile(), name = "old").use { client ->
            client.addMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(first, Duration.ofHours(6)))
            client.take(client.doses(first, first.plusSeconds(1)).single(), at = first.plusSeconds(60))
            client.exportFhirBundle() to client.medicines(includeArchived = true)
        }
        assertTrue(bundle.contains("\"MedicationAdministration\""))
        openClient(dir.toFile(), name = "new").use { client ->
            val imported = client.importFhirBundle(bundle)
            assertEquals(1u, imported.medicines)
            assertEquals(1u, imported.doseEvents)
            assertEquals(medicines, client.medicines(includeArchived = true))
            val taken = client.doses(first, first.plusSeconds(1)).single()
            assertEquals(DoseStatus.TAKEN, taken.status)
            assertThrows(RegimenException.Conflict::class.java) { runBlocking { client.importFhirBundle(bundle) } }
            val noLog = client.exportFhirBundle(FhirExportOptions(doseLog = false))
            assertFalse(noLog.contains("\"MedicationAdministration\""))
        }
    }

    @Test
    fun `the calendar export names no medicine unless asked`() = runBlocking {
        openClient(dir.toFile()).use { client ->
            val first = thisMinute().plus(Duration.ofHours(1))
            client.addMedicine(MedicineInfo(name = "Tamoxifen"), everyFrom(first, Duration.ofHours(24)))
            val ics = client.exportCalendarIcs(first, first.plus(Duration.ofDays(7)))
            assertTrue(ics.startsWith("BEGIN:VCALENDAR\r\n"), ics)
            assertEquals(1, Regex("BEGIN:VEVENT").findAll(ics).count(), ics)
            assertFalse(ics.contains("Tamoxifen"), "the default calendar names no medicine")
            assertTrue(client.exportCalendarIcs(first, first.plus(Duration.ofDays(7)), names = true).contains("Tamoxifen"))
        }
    }

    @Test
    fun `warnings and shares emit after the change that makes them`() = runBlocking {
        openClient(dir.toFile()).use { client ->
            client.importPgx("CYP2C19,*2/*2")
            val (none, some) = client.warnings.aroundChange { client.addMedicine(MedicineInfo(name = "Clopidogrel")) }
            assertTrue(none.isEmpty())
            assertEquals(WarningKind.DRUG_GENE, some.first().kind)

            var offered: PairingStep? = null
            val (noShares, shares) = client.shares.aroundChange { offered = client.offerShare("Ana", listOf(ShareScope.MEDICINES)) }
            assertTrue(noShares.isEmpty())
            assertEquals(listOf(offered!!.share.id), shares.map { it.id })
        }
    }

    @Test
    fun `refresh makes a screen read again what another process changed`() = runBlocking {
        val path = File(dir.toFile(), "patient.db").path
        val keys = WrappedKeyStore(File(dir.toFile(), "keys"), SoftwareWrapper())
        RegimenClient.open(path, keys).use { app ->
            RegimenClient.open(path, keys).use { receiver ->
                val (before, after) = app.today.aroundChange {
                    receiver.addMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(thisMinute().minusSeconds(60), Duration.ofHours(6)))
                    app.refresh()
                }
                assertTrue(before.doses.isEmpty())
                assertEquals(listOf("Amoxicillin"), after.doses.map { it.name }.distinct())
            }
        }
    }

    @Test
    fun `a failed change does not emit, and every failure maps to what the app can do`() = runBlocking {
        openClient(dir.toFile()).use { client ->
            val before = client.changes.value
            val bad = assertThrows(RegimenException.InvalidInput::class.java) {
                runBlocking { client.addMedicine(MedicineInfo(name = " ")) }
            }
            assertEquals("name", bad.field)
            assertEquals(Remedy.FIX_INPUT, bad.remedy())
            assertEquals(before, client.changes.value)
            val missing = assertThrows(RegimenException.NotFound::class.java) { runBlocking { client.archiveMedicine(999) } }
            assertEquals(Remedy.REFRESH, missing.remedy())
            assertEquals(Remedy.REPORT, IllegalStateException().remedy())
        }
        val locked = object : KeyStore {
            override fun loadKey(alias: String): ByteArray? = throw KeyStoreException.Unavailable("before first unlock")

            override fun saveKey(alias: String, key: ByteArray) = throw KeyStoreException.Unavailable("before first unlock")

            override fun deleteKey(alias: String) = throw KeyStoreException.Unavailable("before first unlock")
        }
        val error = assertThrows(RegimenException.Locked::class.java) {
            runBlocking { RegimenClient.open(File(dir.toFile(), "patient.db").path, locked) }
        }
        assertEquals(Remedy.RETRY_LATER, error.remedy())
        // A file that is not a database is damaged: offer a restore, keep the file.
        val damaged = File(dir.toFile(), "damaged.db").apply { writeText("not a database at all, just text") }
        val notDatabase = assertThrows(RegimenException::class.java) {
            runBlocking { RegimenClient.open(damaged.path, WrappedKeyStore(File(dir.toFile(), "keys2"), SoftwareWrapper())) }
        }
        assertEquals(Remedy.RESTORE, notDatabase.remedy())
        assertEquals("not a database at all, just text", damaged.readText())
        assertEquals(Remedy.UPDATE_APP, RegimenException.DatabaseTooNew(99L, 7L).remedy())
    }

    @Test
    fun `snooze puts a due dose off until the chosen time`() = runBlocking {
        openClient(dir.toFile()).use { client ->
            val first = thisMinute().minusSeconds(120)
            client.addMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(first, Duration.ofHours(6)))
            val due = client.doses(first, first.plusSeconds(1)).single()
            val logged = client.snooze(due, Duration.ofMinutes(15))
            assertEquals(DoseAction.SNOOZED, logged.event.action)
            assertEquals(DoseStatus.SNOOZED, client.doses(first, first.plusSeconds(1)).single().status)
            assertEquals(logged.event.actualAt.plus(Duration.ofMinutes(15)), logged.event.snoozeUntil)
        }
    }

    @Test
    fun `a pairing offer is read for what the push registration needs, and anything else is refused`() {
        openClient(dir.toFile()).use { client ->
            val payload = runBlocking { client.offerShare("Ana", emptyList()) }.payload
            val offer = ShareOffer.parse(payload)!!
            assertEquals(87, offer.vapid.length)
            assertEquals("Ana", offer.patientName)
            assertTrue(offer.instance.startsWith(ShareOffer.INSTANCE_PREFIX))
            assertFalse(offer.toString().contains("Ana"))
        }
        assertEquals(null, ShareOffer.parse("""{"type":"regimen-share-answer","share":"x","vapid":"y","name":"z"}"""))
        assertEquals(null, ShareOffer.parse("not json"))
        assertEquals(null, ShareOffer.parse("""{"type":"regimen-share-offer","share":"a b","vapid":"${"A".repeat(87)}","name":"z"}"""))
    }

    @Test
    fun `the JSON reader reads what it must and refuses the rest`() {
        assertEquals(
            mapOf("a" to listOf(1.0, "x\n\u00e9", true, null), "b" to mapOf<String, Any?>()),
            MiniJson.parse("""{"a":[1,"x\n\u00e9",true,null],"b":{}}"""),
        )
        for (bad in listOf("", "{", "[1,]", "{\"a\":1,\"a\":2}", "01", "\"\\u12g4\"", "{} x", "\"a\u0001\"", "[".repeat(100) + "]".repeat(100))) {
            assertEquals(null, MiniJson.parse(bad), bad)
        }
    }

    @Test
    fun `the zone the JVM reports is recorded under its IANA name`() {
        assertEquals("UTC", RegimenClient.ianaName(java.time.ZoneOffset.UTC))
        assertEquals("Etc/GMT-2", RegimenClient.ianaName(java.time.ZoneOffset.ofHours(2)))
        assertEquals("Etc/GMT+5", RegimenClient.ianaName(java.time.ZoneId.of("GMT-05:00")))
        assertEquals("Europe/Berlin", RegimenClient.ianaName(java.time.ZoneId.of("Europe/Berlin")))
        openClient(dir.toFile()).use { client ->
            assertEquals("Etc/GMT-2", runBlocking { client.changeDeviceZone(java.time.ZoneOffset.ofHours(2)) }.zone)
        }
    }

    @Test
    fun `a test's fixed clock is the library's now too`() = runBlocking {
        val first = Instant.parse("2026-03-10T08:00:00Z")
        val at = { instant: Instant -> Clock.fixed(instant, ZoneOffset.UTC) }
        val path = File(dir.toFile(), "pinned.db").path
        val keys = WrappedKeyStore(File(dir.toFile(), "pinned-keys"), SoftwareWrapper())
        RegimenClient.open(path, keys, clock = at(first.minusSeconds(600)), zone = { ZoneOffset.UTC }).use { client ->
            client.addMedicine(MedicineInfo(name = "Amoxicillin"), everyFrom(first, Duration.ofHours(8)))
            assertEquals(DoseStatus.UPCOMING, client.today().doses.first().status)
        }
        // The same database in March 2026, five minutes after the dose: due, not weeks missed.
        RegimenClient.open(path, keys, clock = at(first.plusSeconds(300)), zone = { ZoneOffset.UTC }).use { client ->
            assertEquals(DoseStatus.DUE, client.today().doses.first().status)
        }
    }
}
