// Kotlin tests through the generated bindings, on the JVM against the real library: what an
// Android app does first (open with its own KeyStore, add and list medicines, log a dose) and
// how failures reach it (typed exceptions with the field named, Locked for a wrong key).
package org.regimen.tests

import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.time.Instant
import java.util.concurrent.ConcurrentHashMap
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.bindings.KeyStore
import org.regimen.bindings.KeyStoreException
import org.regimen.bindings.Regimen
import org.regimen.bindings.RegimenConfig
import org.regimen.bindings.core.RegimenException
import org.regimen.bindings.core.DoseAction
import org.regimen.bindings.core.DoseForm
import org.regimen.bindings.core.MedicineInfo
import org.regimen.bindings.core.NewDoseEvent
import org.regimen.bindings.core.Route

/** A KeyStore kept in memory, as an app would keep one over Android Keystore. */
class MemoryKeyStore : KeyStore {
    val keys = ConcurrentHashMap<String, ByteArray>()

    override fun loadKey(alias: String): ByteArray? = keys[alias]

    override fun saveKey(alias: String, key: ByteArray) {
        keys[alias] = key
    }

    override fun deleteKey(alias: String) {
        keys.remove(alias)
    }
}

/** A KeyStore on a device that is still locked after a reboot. */
class LockedKeyStore : KeyStore {
    override fun loadKey(alias: String): ByteArray? =
        throw KeyStoreException.Unavailable("device locked before first unlock")

    override fun saveKey(alias: String, key: ByteArray) =
        throw KeyStoreException.Unavailable("device locked before first unlock")

    override fun deleteKey(alias: String) =
        throw KeyStoreException.Unavailable("device locked before first unlock")
}

/** A KeyStore with a bug: it throws something the interface does not declare. */
class BrokenKeyStore : KeyStore {
    override fun loadKey(alias: String): ByteArray? = throw IllegalStateException("bug")

    override fun saveKey(alias: String, key: ByteArray) = throw IllegalStateException("bug")

    override fun deleteKey(alias: String) = throw IllegalStateException("bug")
}

class RegimenBindingsTest {
    @TempDir
    lateinit var dir: Path

    private fun database() = dir.resolve("patient.db").toString()

    private fun open(keys: KeyStore) = Regimen.open(database(), RegimenConfig(), keys)

    private val metformin = MedicineInfo(
        name = "Metformin",
        strength = "500 mg",
        form = DoseForm.TABLET,
        route = Route.ORAL,
        rxnorm = "6809",
        atc = "a10ba02",
    )

    @Test
    fun `opening creates a database whose key the KeyStore keeps`() {
        val keys = MemoryKeyStore()
        open(keys).use { }
        assertEquals(32, keys.keys["regimen.database"]?.size)
        assertTrue(Files.exists(dir.resolve("patient.db")))
    }

    @Test
    fun `medicines added are listed sorted by name with codes normalised`() {
        val keys = MemoryKeyStore()
        open(keys).use { regimen ->
            regimen.addMedicine(metformin)
            regimen.addMedicine(MedicineInfo(name = "Atorvastatin", strength = "20 mg"))
            val listed = regimen.medicines(includeArchived = false)
            assertEquals(listOf("Atorvastatin", "Metformin"), listed.map { it.info.name })
            assertEquals("A10BA02", listed[1].info.atc)
            assertEquals(DoseForm.TABLET, listed[1].info.form)
        }
        // Still there after reopening with the same key.
        open(keys).use { regimen -> assertEquals(2, regimen.medicines(false).size) }
    }

    @Test
    fun `a logged dose comes back in the day's log`() {
        open(MemoryKeyStore()).use { regimen ->
            val medicine = regimen.addMedicine(metformin)
            val now = Instant.now()
            val due = now.minus(Duration.ofMinutes(10))
            val event = regimen.logDose(
                NewDoseEvent(
                    medicineId = medicine.id,
                    action = DoseAction.TAKEN,
                    actualAt = now,
                    scheduledAt = due,
                ),
            ).event
            assertEquals(DoseAction.TAKEN, event.action)
            val log = regimen.doseEvents(now.minus(Duration.ofHours(1)), now.plusSeconds(60), null)
            assertEquals(1, log.size)
            assertEquals(due.toEpochMilli(), log[0].scheduledAt?.toEpochMilli())
            assertNull(log[0].note)
        }
    }

    @Test
    fun `bad input throws InvalidInput naming the field and stores nothing`() {
        open(MemoryKeyStore()).use { regimen ->
            val empty = assertThrows(RegimenException.InvalidInput::class.java) {
                regimen.addMedicine(MedicineInfo(name = "   "))
            }
            assertEquals("name", empty.field)
            val badCode = assertThrows(RegimenException.InvalidInput::class.java) {
                regimen.addMedicine(metformin.copy(atc = "XYZ"))
            }
            assertEquals("atc", badCode.field)
            assertFalse(badCode.reason.contains("Metformin"))
            assertTrue(regimen.medicines(true).isEmpty())
        }
    }

    @Test
    fun `a dose for an archived medicine is refused`() {
        open(MemoryKeyStore()).use { regimen ->
            val medicine = regimen.archiveMedicine(regimen.addMedicine(metformin).id)
            assertNotNull(medicine.archivedAt)
            val refused = assertThrows(RegimenException.InvalidInput::class.java) {
                regimen.logDose(NewDoseEvent(medicine.id, DoseAction.TAKEN, Instant.now()))
            }
            assertEquals("medicine_id", refused.field)
        }
    }

    @Test
    fun `an unknown id throws NotFound`() {
        open(MemoryKeyStore()).use { regimen ->
            val missing = assertThrows(RegimenException.NotFound::class.java) { regimen.medicine(77) }
            assertEquals(77L, missing.id)
        }
    }

    @Test
    fun `a wrong key throws Locked and leaves the file unchanged`() {
        open(MemoryKeyStore()).use { it.addMedicine(metformin) }
        val before = Files.readAllBytes(dir.resolve("patient.db"))
        val wrong = MemoryKeyStore().apply { keys["regimen.database"] = ByteArray(32) { 7 } }
        assertThrows(RegimenException.Locked::class.java) { open(wrong) }
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("patient.db")))
    }

    @Test
    fun `a KeyStore exception from Kotlin becomes Locked`() {
        assertThrows(RegimenException.Locked::class.java) { open(LockedKeyStore()) }
        assertThrows(RegimenException.Locked::class.java) { open(BrokenKeyStore()) }
        assertFalse(Files.exists(dir.resolve("patient.db")))
    }

    @Test
    fun `a stale revision throws Conflict`() {
        open(MemoryKeyStore()).use { regimen ->
            val medicine = regimen.addMedicine(metformin)
            regimen.editMedicine(medicine.id, metformin.copy(strength = "850 mg"), medicine.revision)
            assertThrows(RegimenException.Conflict::class.java) {
                regimen.editMedicine(medicine.id, metformin.copy(strength = "1000 mg"), medicine.revision)
            }
            assertEquals("850 mg", regimen.medicine(medicine.id).info.strength)
        }
    }
}
