// A small strict JSON reader, enough to read a pairing offer's fields on the JVM and on Android
// alike (org.json exists on Android only).
package org.regimen.android

/** Reads JSON text into maps, lists, strings, numbers (as Double), booleans and null. */
object MiniJson {
    /** The value in [text], or null if it is not one complete JSON value (at most 64 levels deep). */
    fun parse(text: String): Any? = try {
        val reader = Reader(text)
        val value = reader.value(0)
        reader.skipSpace()
        if (reader.at != text.length) NOT_JSON else value
    } catch (e: IllegalArgumentException) {
        NOT_JSON
    }.takeUnless { it === NOT_JSON }

    /** The object in [text] as a map, or null if [text] is not a JSON object. */
    fun parseObject(text: String): Map<String, Any?>? {
        val value = parse(text) as? Map<*, *> ?: return null
        return value.entries.associate { (k, v) -> k as String to v }
    }

    private val NOT_JSON = Any()

    private class Reader(val text: String) {
        var at = 0

        fun fail(): Nothing = throw IllegalArgumentException("not JSON")

        fun skipSpace() {
            while (at < text.length && text[at] in " \t\r\n") at++
        }

        fun value(depth: Int): Any? {
            if (depth > 64) fail()
            skipSpace()
            if (at >= text.length) fail()
            return when (text[at]) {
                '{' -> obj(depth)
                '[' -> array(depth)
                '"' -> string()
                't' -> word("true", true)
                'f' -> word("false", false)
                'n' -> word("null", null)
                else -> number()
            }
        }

        fun word(word: String, value: Any?): Any? {
            if (!text.startsWith(word, at)) fail()
            at += word.length
            return value
        }

        fun obj(depth: Int): Map<String, Any?> {
            val map = LinkedHashMap<String, Any?>()
            at++
            skipSpace()
            if (at < text.length && text[at] == '}') {
                at++
                return map
            }
            while (true) {
                skipSpace()
                if (at >= text.length || text[at] != '"') fail()
                val key = string()
                skipSpace()
                if (at >= text.length || text[at] != ':') fail()
                at++
                if (map.put(key, value(depth + 1)) != null || map.size > 10_000) fail()
                skipSpace()
                if (at >= text.length) fail()
                when (text[at++]) {
                    ',' -> continue
                    '}' -> return map
                    else -> fail()
                }
            }
        }

        fun array(depth: Int): List<Any?> {
            val list = ArrayList<Any?>()
            at++
            skipSpace()
            if (at < text.length && text[at] == ']') {
                at++
                return list
            }
            while (true) {
                list += value(depth + 1)
                skipSpace()
                if (at >= text.length) fail()
                when (text[at++]) {
                    ',' -> continue
                    ']' -> return list
                    else -> fail()
                }
            }
        }

        fun string(): String {
            val out = StringBuilder()
            at++
            while (true) {
                if (at >= text.length) fail()
                val c = text[at++]
                when {
                    c == '"' -> return out.toString()
                    c == '\\' -> {
                        if (at >= text.length) fail()
                        when (val e = text[at++]) {
                            '"', '\\', '/' -> out.append(e)
                            'b' -> out.append('\b')
                            'f' -> out.append('\u000c')
                            'n' -> out.append('\n')
                            'r' -> out.append('\r')
                            't' -> out.append('\t')
                            'u' -> {
                                if (at + 4 > text.length) fail()
                                val hex = text.substring(at, at + 4)
                                if (!hex.all { it in "0123456789abcdefABCDEF" }) fail()
                                out.append(hex.toInt(16).toChar())
                                at += 4
                            }
                            else -> fail()
                        }
                    }
                    c < ' ' -> fail()
                    else -> out.append(c)
                }
            }
        }

        fun number(): Double {
            val start = at
            if (at < text.length && text[at] == '-') at++
            if (at >= text.length || !text[at].isDigit()) fail()
            if (text[at] == '0') at++ else while (at < text.length && text[at].isDigit()) at++
            if (at < text.length && text[at] == '.') {
                at++
                if (at >= text.length || !text[at].isDigit()) fail()
                while (at < text.length && text[at].isDigit()) at++
            }
            if (at < text.length && (text[at] == 'e' || text[at] == 'E')) {
                at++
                if (at < text.length && (text[at] == '+' || text[at] == '-')) at++
                if (at >= text.length || !text[at].isDigit()) fail()
                while (at < text.length && text[at].isDigit()) at++
            }
            return text.substring(start, at).toDouble()
        }
    }
}
