// A QR code encoder (ISO/IEC 18004, byte mode), so that pairing payloads can be drawn without a
// library: versions 1 to 40, the four error-correction levels, the eight masks scored by the
// standard's penalty rules.
package org.regimen.android

/**
 * A QR code: a square of [size] × [size] modules.
 *
 * @property size modules per side (21 for version 1, 4 more per version).
 * @property version 1 to 40.
 * @property level the error-correction level used.
 * @property mask the mask pattern chosen (0 to 7).
 */
class QrCode private constructor(
    val size: Int,
    val version: Int,
    val level: Level,
    val mask: Int,
    private val dark: BooleanArray,
) {
    /** Error-correction levels, weakest first. */
    enum class Level(
        /** The two format bits of the level. */
        val formatBits: Int,
    ) {
        /** About 7 % of codewords can be restored. */
        L(1),

        /** About 15 %. */
        M(0),

        /** About 25 %. */
        Q(3),

        /** About 30 %. */
        H(2),
    }

    /** Whether the module in column [x], row [y] is dark. */
    fun isDark(x: Int, y: Int): Boolean = dark[y * size + x]

    /** Size and version only (a payload may be personal). */
    override fun toString(): String = "QrCode(version=$version, level=$level, mask=$mask)"

    /** Encoding. */
    companion object {
        // Error-correction codewords per block, and number of blocks, by level and version (index 0 unused).
        private val ECC_PER_BLOCK = arrayOf(
            intArrayOf(0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
            intArrayOf(0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28),
            intArrayOf(0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
            intArrayOf(0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
        )
        private val BLOCKS = arrayOf(
            intArrayOf(0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25),
            intArrayOf(0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49),
            intArrayOf(0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68),
            intArrayOf(0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81),
        )

        /**
         * Encodes [text] (UTF-8, byte mode) in the smallest version that holds it at [minLevel],
         * raising the level while the version stays the same. Throws IllegalArgumentException if
         * it does not fit in version 40.
         */
        fun encode(text: String, minLevel: Level = Level.M): QrCode = encode(text.toByteArray(Charsets.UTF_8), minLevel)

        /** Encodes [data] in byte mode; see the text overload. */
        fun encode(data: ByteArray, minLevel: Level = Level.M): QrCode {
            val version = (1..40).firstOrNull { fits(data.size, it, minLevel) }
                ?: throw IllegalArgumentException("too long for a QR code: ${data.size} bytes")
            val level = Level.entries.filter { it.ordinal >= minLevel.ordinal }.last { fits(data.size, version, it) }
            val codewords = interleave(dataCodewords(data, version, level), version, level)
            return (0..7).map { build(version, level, codewords, it) }.minBy { penalty(it) }
        }

        private fun fits(bytes: Int, version: Int, level: Level): Boolean =
            4 + (if (version < 10) 8 else 16) + 8 * bytes <= 8 * dataCapacity(version, level)

        /** Modules left for data and error correction after the function patterns. */
        private fun rawModules(version: Int): Int {
            var result = (16 * version + 128) * version + 64
            if (version >= 2) {
                val align = version / 7 + 2
                result -= (25 * align - 10) * align - 55
                if (version >= 7) result -= 36
            }
            return result
        }

        private fun dataCapacity(version: Int, level: Level): Int =
            rawModules(version) / 8 - ECC_PER_BLOCK[level.ordinal][version] * BLOCKS[level.ordinal][version]

        /** Mode, count, bytes, terminator and padding, as data codewords. */
        private fun dataCodewords(data: ByteArray, version: Int, level: Level): IntArray {
            val capacity = dataCapacity(version, level)
            val bits = ArrayList<Boolean>(capacity * 8)
            fun put(value: Int, length: Int) {
                for (i in length - 1 downTo 0) bits += (value ushr i) and 1 == 1
            }
            put(0b0100, 4)
            put(data.size, if (version < 10) 8 else 16)
            data.forEach { put(it.toInt() and 0xff, 8) }
            put(0, minOf(4, capacity * 8 - bits.size))
            put(0, (8 - bits.size % 8) % 8)
            val out = IntArray(capacity)
            for (i in 0 until bits.size / 8) {
                var b = 0
                for (j in 0 until 8) b = (b shl 1) or if (bits[i * 8 + j]) 1 else 0
                out[i] = b
            }
            for (i in bits.size / 8 until capacity) out[i] = if ((i - bits.size / 8) % 2 == 0) 0xec else 0x11
            return out
        }

        /** Splits into blocks, adds Reed-Solomon codewords, interleaves. */
        private fun interleave(data: IntArray, version: Int, level: Level): IntArray {
            val blocks = BLOCKS[level.ordinal][version]
            val ecc = ECC_PER_BLOCK[level.ordinal][version]
            val total = rawModules(version) / 8
            val shortBlocks = blocks - total % blocks
            val shortData = total / blocks - ecc
            val divisor = generator(ecc)
            val dataBlocks = ArrayList<IntArray>()
            val eccBlocks = ArrayList<IntArray>()
            var at = 0
            for (i in 0 until blocks) {
                val length = shortData + if (i < shortBlocks) 0 else 1
                val block = data.copyOfRange(at, at + length)
                at += length
                dataBlocks += block
                eccBlocks += remainder(block, divisor)
            }
            val out = ArrayList<Int>(total)
            for (i in 0..shortData) {
                for (block in dataBlocks) if (i < block.size) out += block[i]
            }
            for (i in 0 until ecc) {
                for (block in eccBlocks) out += block[i]
            }
            return out.toIntArray()
        }

        /** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1. */
        private fun gfMultiply(x: Int, y: Int): Int {
            var z = 0
            for (i in 7 downTo 0) {
                z = (z shl 1) xor ((z ushr 7) * 0x11d)
                z = z xor (((y ushr i) and 1) * x)
            }
            return z
        }

        /** The generator polynomial of degree [degree] (leading 1 left out), highest power first. */
        private fun generator(degree: Int): IntArray {
            val g = IntArray(degree)
            g[degree - 1] = 1
            var root = 1
            repeat(degree) {
                for (j in 0 until degree) {
                    g[j] = gfMultiply(g[j], root)
                    if (j + 1 < degree) g[j] = g[j] xor g[j + 1]
                }
                root = gfMultiply(root, 2)
            }
            return g
        }

        private fun remainder(data: IntArray, divisor: IntArray): IntArray {
            val r = IntArray(divisor.size)
            for (b in data) {
                val factor = b xor r[0]
                for (i in 0 until r.size - 1) r[i] = r[i + 1]
                r[r.size - 1] = 0
                for (i in r.indices) r[i] = r[i] xor gfMultiply(divisor[i], factor)
            }
            return r
        }

        private fun alignmentPositions(version: Int): IntArray {
            if (version == 1) return IntArray(0)
            val count = version / 7 + 2
            val step = if (version == 32) 26 else (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
            val size = version * 4 + 17
            return IntArray(count) { i -> if (i == 0) 6 else size - 7 - (count - 1 - i) * step }
        }

        private fun masked(mask: Int, x: Int, y: Int): Boolean = when (mask) {
            0 -> (x + y) % 2 == 0
            1 -> y % 2 == 0
            2 -> x % 3 == 0
            3 -> (x + y) % 3 == 0
            4 -> (x / 3 + y / 2) % 2 == 0
            5 -> x * y % 2 + x * y % 3 == 0
            6 -> (x * y % 2 + x * y % 3) % 2 == 0
            else -> ((x + y) % 2 + x * y % 3) % 2 == 0
        }

        private fun build(version: Int, level: Level, codewords: IntArray, mask: Int): QrCode {
            val size = version * 4 + 17
            val dark = BooleanArray(size * size)
            val function = BooleanArray(size * size)
            fun set(x: Int, y: Int, on: Boolean) {
                dark[y * size + x] = on
                function[y * size + x] = true
            }
            // Timing patterns, then finders (with separators) over their ends.
            for (i in 0 until size) {
                set(6, i, i % 2 == 0)
                set(i, 6, i % 2 == 0)
            }
            for ((cx, cy) in listOf(3 to 3, size - 4 to 3, 3 to size - 4)) {
                for (dy in -4..4) for (dx in -4..4) {
                    val x = cx + dx
                    val y = cy + dy
                    if (x !in 0 until size || y !in 0 until size) continue
                    val d = maxOf(Math.abs(dx), Math.abs(dy))
                    set(x, y, d != 2 && d != 4)
                }
            }
            val align = alignmentPositions(version)
            for ((i, ay) in align.withIndex()) for ((j, ax) in align.withIndex()) {
                val corner = (i == 0 && j == 0) || (i == 0 && j == align.size - 1) || (i == align.size - 1 && j == 0)
                if (corner) continue
                for (dy in -2..2) for (dx in -2..2) set(ax + dx, ay + dy, maxOf(Math.abs(dx), Math.abs(dy)) != 1)
            }
            // Format information (BCH(15,5), masked with 0x5412) in its two copies, the dark module.
            val format = (level.formatBits shl 3) or mask
            var rem = format
            repeat(10) { rem = (rem shl 1) xor ((rem ushr 9) * 0x537) }
            val bits = ((format shl 10) or rem) xor 0x5412
            fun bit(i: Int) = (bits ushr i) and 1 == 1
            for (i in 0..5) set(8, i, bit(i))
            set(8, 7, bit(6))
            set(8, 8, bit(7))
            set(7, 8, bit(8))
            for (i in 9..14) set(14 - i, 8, bit(i))
            for (i in 0..7) set(size - 1 - i, 8, bit(i))
            for (i in 8..14) set(8, size - 15 + i, bit(i))
            set(8, size - 8, true)
            // Version information (BCH(18,6)) from version 7.
            if (version >= 7) {
                var v = version
                repeat(12) { v = (v shl 1) xor ((v ushr 11) * 0x1f25) }
                val info = (version shl 12) or v
                for (i in 0 until 18) {
                    val on = (info ushr i) and 1 == 1
                    val a = size - 11 + i % 3
                    val b = i / 3
                    set(a, b, on)
                    set(b, a, on)
                }
            }
            // Data in two-column zigzags from the bottom right, skipping the vertical timing column.
            var bitIndex = 0
            var right = size - 1
            while (right >= 1) {
                if (right == 6) right = 5
                val upward = (right + 1) and 2 == 0
                for (step in 0 until size) {
                    val y = if (upward) size - 1 - step else step
                    for (j in 0..1) {
                        val x = right - j
                        if (function[y * size + x]) continue
                        if (bitIndex < codewords.size * 8) {
                            dark[y * size + x] = (codewords[bitIndex / 8] ushr (7 - bitIndex % 8)) and 1 == 1
                            bitIndex++
                        }
                        if (masked(mask, x, y)) dark[y * size + x] = !dark[y * size + x]
                    }
                }
                right -= 2
            }
            return QrCode(size, version, level, mask, dark)
        }

        /** The standard's penalty score: runs, 2×2 blocks, finder-like patterns, dark balance. */
        private fun penalty(qr: QrCode): Int {
            val n = qr.size
            var score = 0
            for (horizontal in listOf(true, false)) {
                for (a in 0 until n) {
                    fun at(b: Int) = if (horizontal) qr.isDark(b, a) else qr.isDark(a, b)
                    var run = 1
                    for (b in 1 until n) {
                        if (at(b) == at(b - 1)) {
                            run++
                            if (run == 5) score += 3 else if (run > 5) score++
                        } else {
                            run = 1
                        }
                    }
                    // 1:1:3:1:1 with four light modules on one side (outside the symbol is light).
                    for (b in -4 until n) {
                        fun lit(i: Int) = i < 0 || i >= n || !at(i)
                        val core = !lit(b) && lit(b + 1) && !lit(b + 2) && !lit(b + 3) && !lit(b + 4) && lit(b + 5) && !lit(b + 6)
                        if (!core) continue
                        val before = (b - 4 until b).all { lit(it) }
                        val after = (b + 7..b + 10).all { lit(it) }
                        if (before || after) score += 40
                    }
                }
            }
            for (y in 0 until n - 1) for (x in 0 until n - 1) {
                val c = qr.isDark(x, y)
                if (c == qr.isDark(x + 1, y) && c == qr.isDark(x, y + 1) && c == qr.isDark(x + 1, y + 1)) score += 3
            }
            val darkCount = (0 until n * n).count { qr.dark[it] }
            val total = n * n
            val k = (Math.abs(darkCount * 20 - total * 10) + total - 1) / total - 1
            return score + k * 10
        }
    }
}
