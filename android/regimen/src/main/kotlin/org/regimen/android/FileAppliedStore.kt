// What is armed, on disk: Android has no API that lists an app's alarms, so the applier keeps
// its own record to cancel entries that vanished from the plan. Written atomically.
package org.regimen.android

import java.io.File
import java.io.FileOutputStream
import java.io.IOException
import java.net.URLDecoder
import java.net.URLEncoder
import java.time.Instant

/**
 * An [AppliedStore] in [file] (credential-protected storage, beside the database), with an
 * optional [bootCopy] in device-protected storage that [readBootCopy] can read before the first
 * unlock after a reboot. Neither holds a reminder's text: platform ids, kinds, instants, row
 * ids of medicines, groups, modes, and (in [file] only) the keyed fingerprints.
 */
class FileAppliedStore(private val file: File, private val bootCopy: File? = null) : AppliedStore {
    override var lost: Boolean = false
        private set

    override fun load(): AppliedReminders {
        val read = read(file)
        lost = read == null
        return read ?: AppliedReminders()
    }

    override fun save(applied: AppliedReminders) {
        write(file, encode(applied, withFingerprints = true))
        bootCopy?.let { write(it, encode(applied, withFingerprints = false)) }
    }

    /** Reading and writing the record's format. */
    companion object {
        private const val HEADER = "regimen-applied 1"

        /** What [bootCopy] holds (fingerprints empty), or null if there is no usable copy. */
        fun readBootCopy(bootCopy: File): AppliedReminders? = read(bootCopy)

        private fun read(file: File): AppliedReminders? = try {
            if (file.exists()) decode(file.readLines(Charsets.UTF_8)) else null
        } catch (e: IOException) {
            null
        } catch (e: IllegalArgumentException) {
            null
        }

        private fun write(target: File, text: String) {
            val partial = File(target.path + ".partial")
            target.parentFile?.mkdirs()
            FileOutputStream(partial).use { out ->
                out.write(text.toByteArray(Charsets.UTF_8))
                out.fd.sync()
            }
            if (!partial.renameTo(target)) {
                partial.delete()
                throw IOException("could not replace the reminder record")
            }
        }

        private fun enc(text: String) = URLEncoder.encode(text, "UTF-8")

        private fun dec(text: String) = URLDecoder.decode(text, "UTF-8")

        /** The record as text: a header, the refresh alarm, one line per reminder. */
        fun encode(applied: AppliedReminders, withFingerprints: Boolean): String = buildString {
            append(HEADER).append('\n')
            append("refresh ")
                .append(applied.refreshAt?.toEpochMilli()?.toString() ?: "-").append(' ')
                .append(applied.refreshMode?.name ?: "-").append('\n')
            for (r in applied.reminders) {
                append(
                    listOf(
                        "r", r.platformId.toString(), r.kind.name, r.fireAt.toEpochMilli().toString(),
                        r.dueAt.toEpochMilli().toString(), r.mode.name,
                        if (withFingerprints) r.fingerprint else "-",
                        r.shareId?.toString() ?: "-",
                        if (r.medicineIds.isEmpty()) "-" else r.medicineIds.joinToString(","),
                        enc(r.group), enc(r.id),
                    ).joinToString(" "),
                ).append('\n')
            }
        }

        /** The record read back, or null if any line is not understood. */
        fun decode(lines: List<String>): AppliedReminders? {
            if (lines.size < 2 || lines[0] != HEADER) return null
            val refresh = lines[1].split(' ')
            if (refresh.size != 3 || refresh[0] != "refresh") return null
            val refreshAt = if (refresh[1] == "-") null else Instant.ofEpochMilli(refresh[1].toLongOrNull() ?: return null)
            val refreshMode = if (refresh[2] == "-") null else mode(refresh[2]) ?: return null
            val reminders = lines.drop(2).filter { it.isNotEmpty() }.map { line ->
                val f = line.split(' ')
                if (f.size != 11 || f[0] != "r") return null
                ArmedReminder(
                    platformId = f[1].toIntOrNull() ?: return null,
                    kind = NotificationKind.entries.firstOrNull { it.name == f[2] } ?: return null,
                    fireAt = Instant.ofEpochMilli(f[3].toLongOrNull() ?: return null),
                    dueAt = Instant.ofEpochMilli(f[4].toLongOrNull() ?: return null),
                    mode = mode(f[5]) ?: return null,
                    fingerprint = if (f[6] == "-") "" else f[6],
                    shareId = if (f[7] == "-") null else f[7].toLongOrNull() ?: return null,
                    medicineIds = if (f[8] == "-") emptyList() else f[8].split(',').map { it.toLongOrNull() ?: return null },
                    group = dec(f[9]),
                    id = dec(f[10]),
                )
            }
            return AppliedReminders(reminders, refreshAt, refreshMode)
        }

        private fun mode(name: String) = AlarmMode.entries.firstOrNull { it.name == name }
    }
}
