// The QR encoder against an independent decoder (ZXing, a test-only dependency): every version
// and level it picks must read back to the same text.
package org.regimen.android

import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.RGBLuminanceSource
import com.google.zxing.common.HybridBinarizer
import com.google.zxing.qrcode.QRCodeReader
import java.nio.file.Path
import kotlin.random.Random
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

class QrCodeTest {
    @TempDir
    lateinit var dir: Path

    /** What a phone camera would read: the code drawn 3 pixels a module with a 4-module quiet zone. */
    private fun decode(qr: QrCode): String {
        val scale = 3
        val side = (qr.size + 8) * scale
        val pixels = IntArray(side * side) { i ->
            val x = (i % side) / scale - 4
            val y = (i / side) / scale - 4
            if (x in 0 until qr.size && y in 0 until qr.size && qr.isDark(x, y)) 0xff000000.toInt() else -1
        }
        val bitmap = BinaryBitmap(HybridBinarizer(RGBLuminanceSource(side, side, pixels)))
        return QRCodeReader().decode(bitmap, mapOf(DecodeHintType.PURE_BARCODE to true, DecodeHintType.CHARACTER_SET to "UTF-8")).text
    }

    @Test
    fun `every version and level reads back with an independent decoder`() {
        val random = Random(12)
        val seen = mutableSetOf<Pair<Int, QrCode.Level>>()
        for (level in QrCode.Level.entries) {
            var length = 1
            while (true) {
                val text = String(CharArray(length) { "abcdefghijklmnopqrstuvwxyz0123456789-_{}:,\"".random(random) })
                val qr = try {
                    QrCode.encode(text, level)
                } catch (e: IllegalArgumentException) {
                    break
                }
                assertEquals(text, decode(qr), "version ${qr.version} level ${qr.level} mask ${qr.mask}")
                assertEquals(qr.version * 4 + 17, qr.size)
                seen += qr.version to level
                length += maxOf(1, length / 40)
            }
        }
        assertEquals(40, seen.map { it.first }.toSet().size, "all 40 versions were tried")
        for (level in QrCode.Level.entries) {
            assertEquals(40, seen.filter { it.second == level }.maxOf { it.first }, "$level up to version 40")
        }
    }

    @Test
    fun `a pairing offer and answer fit one code and read back`() = runBlocking {
        openClient(dir.toFile(), "patient").use { patient ->
            openClient(dir.toFile(), "caregiver").use { caregiver ->
                val offer = patient.offerShare("Ana María", listOf(ShareScope.MEDICINES)).payload
                val answer = caregiver.answerOffer(offer, "https://push.example.net/wpush/v2/" + "x".repeat(200), "Ben").payload
                for (payload in listOf(offer, answer)) {
                    val qr = QrCode.encode(payload)
                    assertEquals(payload, decode(qr))
                    assertTrue(qr.version <= 20, "readable from a phone screen: version ${qr.version}")
                }
            }
        }
    }

    @Test
    fun `the smallest version is chosen and a text too long for any is refused`() {
        assertEquals(1, QrCode.encode("hello").version)
        assertEquals(QrCode.Level.H, QrCode.encode("hello").level, "raised while version 1 still holds it")
        assertEquals(QrCode.Level.M, QrCode.encode("x".repeat(14)).level)
        assertEquals(1, QrCode.encode("x".repeat(17), QrCode.Level.L).version)
        assertEquals(2, QrCode.encode("x".repeat(18), QrCode.Level.L).version)
        assertThrows(IllegalArgumentException::class.java) { QrCode.encode("x".repeat(2954), QrCode.Level.L) }
        assertEquals(40, QrCode.encode("x".repeat(2953), QrCode.Level.L).version)
    }
}
