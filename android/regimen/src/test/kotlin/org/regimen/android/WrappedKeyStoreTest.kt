// JVM tests of the platform-independent KeyStore hook, with a software AES-GCM wrapper in
// place of Android Keystore, through the real library.
package org.regimen.android

import java.io.File
import java.nio.file.Path
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.bindings.KeyStoreException
import org.regimen.bindings.Regimen
import org.regimen.bindings.RegimenConfig
import org.regimen.bindings.core.RegimenException
import org.regimen.bindings.core.MedicineInfo

/** AES-GCM with a key in memory: the JVM stand-in for AndroidKeystoreWrapper. */
class SoftwareWrapper(private val key: SecretKey = newKey()) : KeyWrapper {
    override fun wrap(key: ByteArray): ByteArray {
        val iv = ByteArray(12).also { SecureRandom().nextBytes(it) }
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, this.key, GCMParameterSpec(128, iv))
        return iv + cipher.doFinal(key)
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(128, wrapped, 0, 12))
        return cipher.doFinal(wrapped, 12, wrapped.size - 12)
    }

    companion object {
        fun newKey(): SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    }
}

class WrappedKeyStoreTest {
    @TempDir
    lateinit var dir: Path

    private fun keysDir() = dir.resolve("keys").toFile()

    @Test
    fun `a saved key loads back and is not stored in clear`() {
        val store = WrappedKeyStore(keysDir(), SoftwareWrapper())
        val key = ByteArray(32) { it.toByte() }
        assertNull(store.loadKey("patient"))
        store.saveKey("patient", key)
        assertArrayEquals(key, store.loadKey("patient"))
        val files = keysDir().listFiles()!!.toList()
        assertEquals(1, files.size)
        assertTrue(files[0].readBytes().size > key.size)
    }

    @Test
    fun `saving twice under one alias is refused and keeps the first key`() {
        val store = WrappedKeyStore(keysDir(), SoftwareWrapper())
        store.saveKey("patient", ByteArray(32) { 1 })
        assertThrows(KeyStoreException.Unavailable::class.java) { store.saveKey("patient", ByteArray(32) { 2 }) }
        assertArrayEquals(ByteArray(32) { 1 }, store.loadKey("patient"))
    }

    @Test
    fun `a tampered key file is Unavailable`() {
        val store = WrappedKeyStore(keysDir(), SoftwareWrapper())
        store.saveKey("patient", ByteArray(32) { 3 })
        val file: File = keysDir().listFiles()!!.single()
        val bytes = file.readBytes().also { it[it.size - 1] = (it[it.size - 1].toInt() xor 1).toByte() }
        file.writeBytes(bytes)
        assertThrows(KeyStoreException.Unavailable::class.java) { store.loadKey("patient") }
    }

    @Test
    fun `a database opens again through a new store with the same wrapper, and is Locked with another`() {
        val wrapper = SoftwareWrapper()
        val db = dir.resolve("patient.db").toString()
        Regimen.open(db, RegimenConfig(), WrappedKeyStore(keysDir(), wrapper)).use {
            it.addMedicine(MedicineInfo(name = "Levothyroxine"))
        }
        Regimen.open(db, RegimenConfig(), WrappedKeyStore(keysDir(), wrapper)).use {
            assertEquals("Levothyroxine", it.medicines(false).single().info.name)
        }
        assertThrows(RegimenException.Locked::class.java) {
            Regimen.open(db, RegimenConfig(), WrappedKeyStore(keysDir(), SoftwareWrapper()))
        }
    }
}
