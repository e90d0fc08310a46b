// Platform-independent part of the Android KeyStore hook; compiles and is tested on the JVM.
package org.regimen.android

import java.io.File
import java.io.FileOutputStream
import java.io.IOException
import java.security.GeneralSecurityException
import java.security.MessageDigest
import org.regimen.bindings.KeyStore
import org.regimen.bindings.KeyStoreException

/** Encrypts ("wraps") data keys with a key that never leaves the platform's secure storage. */
interface KeyWrapper {
    /** The data key encrypted; the result carries whatever the wrapper needs to unwrap it. */
    fun wrap(key: ByteArray): ByteArray

    /** The data key back; throws [GeneralSecurityException] if [wrapped] was altered. */
    fun unwrap(wrapped: ByteArray): ByteArray
}

/**
 * A Regimen [KeyStore] that keeps each database's data key wrapped by [wrapper] in a small
 * file under [directory] (one file per alias, written atomically). On Android, [wrapper] is an
 * [AndroidKeystoreWrapper], so the file alone is useless off the device.
 */
class WrappedKeyStore(private val directory: File, private val wrapper: KeyWrapper) : KeyStore {
    override fun loadKey(alias: String): ByteArray? {
        val file = fileFor(alias)
        if (!file.exists()) return null
        return try {
            wrapper.unwrap(file.readBytes())
        } catch (e: GeneralSecurityException) {
            throw KeyStoreException.Unavailable("the stored key could not be unwrapped")
        } catch (e: IOException) {
            throw KeyStoreException.Unavailable("the stored key could not be read")
        }
    }

    override fun saveKey(alias: String, key: ByteArray) {
        val target = fileFor(alias)
        if (target.exists()) {
            throw KeyStoreException.Unavailable("a key is already stored under this alias")
        }
        val partial = File(directory, target.name + ".partial")
        try {
            directory.mkdirs()
            FileOutputStream(partial).use { out ->
                out.write(wrapper.wrap(key))
                out.fd.sync()
            }
            if (!partial.renameTo(target)) throw IOException("rename failed")
        } catch (e: GeneralSecurityException) {
            partial.delete()
            throw KeyStoreException.Unavailable("the key could not be wrapped")
        } catch (e: IOException) {
            partial.delete()
            throw KeyStoreException.Unavailable("the key could not be written")
        }
    }

    override fun deleteKey(alias: String) {
        val target = fileFor(alias)
        File(directory, target.name + ".partial").delete()
        if (target.exists() && !target.delete()) {
            throw KeyStoreException.Unavailable("the key could not be deleted")
        }
    }

    /** `key-<sha256(alias)>.bin`: any alias becomes a safe file name. */
    private fun fileFor(alias: String): File {
        val digest = MessageDigest.getInstance("SHA-256").digest(alias.toByteArray())
        return File(directory, "key-" + digest.joinToString("") { "%02x".format(it) } + ".bin")
    }
}
