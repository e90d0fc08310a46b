// A new phone and "delete everything" through the facade and the real library: a backup made on
// one phone restores on another with a new key, a wrong passphrase says so, and deleting leaves
// no database file, no key and no armed reminder.
package org.regimen.android

import java.io.File
import java.nio.file.Path
import java.time.Duration
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.bindings.core.RegimenException

class BackupTest {
    @TempDir
    lateinit var dir: Path

    private val passphrase = "the blue pill box"

    @Test
    fun `a backup restores on a new phone with its history, under a key of its own`() = runBlocking {
        val old = openClient(File(dir.toFile(), "old-phone").apply { mkdirs() })
        val first = thisMinute().minus(Duration.ofHours(2))
        val medicine = old.addMedicine(MedicineInfo(name = "Lisinopril"), everyFrom(first, Duration.ofHours(24)))
        val dose = old.doses(first, first.plusSeconds(60)).single()
        old.take(dose)
        val backup = old.exportBackup(passphrase)
        assertEquals(1u, RegimenClient.backupInfo(backup).format)

        val newPhone = File(dir.toFile(), "new-phone").apply { mkdirs() }
        val newKeys = WrappedKeyStore(File(newPhone, "keys"), SoftwareWrapper())
        val wrong = assertThrows(RegimenException.Backup::class.java) {
            runBlocking { RegimenClient.restoreBackup(File(newPhone, "patient.db").path, newKeys, backup, "the red pill box") }
        }
        assertEquals(BackupProblem.WRONG_PASSPHRASE, wrong.problem)
        assertEquals(Remedy.FIX_INPUT, wrong.remedy())
        assertEquals(listOf<String>(), newPhone.list()!!.toList(), "a refused restore writes nothing")

        val restored = RegimenClient.restoreBackup(File(newPhone, "patient.db").path, newKeys, backup, passphrase)
        assertEquals(old.medicines(), restored.medicines())
        assertEquals(medicine.id, restored.medicines().single().id)
        // Taken two hours after it was due: late, on both phones.
        val window = first to first.plus(Duration.ofDays(2))
        assertEquals(old.doses(window.first, window.second), restored.doses(window.first, window.second))
        assertEquals(DoseStatus.TAKEN_LATE, restored.doses(first, first.plusSeconds(60)).single().status)
        // The new phone's key store holds a key of its own (that it differs from the old one is
        // checked in tests/scenarios/backup.rs, where both keys can be read).
        assertEquals(32, newKeys.loadKey("regimen.database")?.size)
        restored.close()
        old.close()
    }

    @Test
    fun `deleting everything leaves no database file, no key and no reminder`() = runBlocking {
        val phone = dir.toFile()
        val client = openClient(phone)
        val port = FakePort()
        val reminders = Reminders(
            client,
            ReminderScheduler(port, FileAppliedStore(File(phone, "applied"), File(phone, "boot-copy")), TEST_KEY),
            FakeDevice(port = port),
        )
        client.addMedicine(MedicineInfo(name = "Warfarin"), everyFrom(thisMinute().plus(Duration.ofHours(1)), Duration.ofHours(12)))
        reminders.reapply(ReapplyReason.APP_START)
        assertTrue(port.armed.isNotEmpty() && port.refreshArmed)

        val report = reminders.deleteEverything()
        assertTrue(report.databaseId.isNotEmpty())
        assertEquals(mapOf<Int, ReminderContent>(), port.armed.toMap())
        assertTrue(!port.refreshArmed)
        val left = phone.walk().filter { it.isFile }.map { it.name }.filter { it.startsWith("patient") || it.startsWith("key-") }
        assertEquals(listOf<String>(), left.toList())
        assertEquals(null, WrappedKeyStore(File(phone, "patient-keys"), SoftwareWrapper()).loadKey("patient"))
        val after = assertThrows(RegimenException.Storage::class.java) { runBlocking { client.medicines() } }
        assertTrue(after.message.contains("deleted"), after.message)
        client.close()
    }
}
