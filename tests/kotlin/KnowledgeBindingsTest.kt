// Kotlin tests of knowledge-base updates through the generated bindings: updateKnowledge is a
// suspend fun; a server on this machine answers it, and every failure is a typed exception
// that leaves the base in use as it was.
package org.regimen.tests

import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.nio.file.Path
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.android.UrlConnectionHttp
import org.regimen.bindings.Regimen
import org.regimen.bindings.RegimenConfig
import org.regimen.bindings.core.RegimenException

class KnowledgeBindingsTest {
    @TempDir
    lateinit var dir: Path

    /** Runs [block] against a loopback server whose handler answers with [status] and [body]. */
    private fun <T> withServer(status: Int, body: ByteArray, block: (String) -> T): T {
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/kb.bundle") { exchange ->
            exchange.sendResponseHeaders(status, if (body.isEmpty()) -1 else body.size.toLong())
            if (body.isNotEmpty()) exchange.responseBody.use { it.write(body) }
            exchange.close()
        }
        server.start()
        try {
            return block("http://127.0.0.1:${server.address.port}/kb.bundle")
        } finally {
            server.stop(0)
        }
    }

    @Test
    fun `an update check runs as a coroutine and each failure is typed`() {
        Regimen.open(dir.resolve("patient.db").toString(), RegimenConfig(), MemoryKeyStore()).use { regimen ->
            val current = withServer(304, ByteArray(0)) { url -> runBlocking { regimen.updateKnowledge(url, UrlConnectionHttp()) } }
            assertFalse(current.installed)
            assertEquals(1uL, current.info.version)

            withServer(200, "not a bundle".toByteArray()) { url ->
                assertThrows(RegimenException.KnowledgeBase::class.java) { runBlocking { regimen.updateKnowledge(url, UrlConnectionHttp()) } }
            }
            withServer(500, ByteArray(0)) { url ->
                assertThrows(RegimenException.Network::class.java) { runBlocking { regimen.updateKnowledge(url, UrlConnectionHttp()) } }
            }
            val bad = assertThrows(RegimenException.InvalidInput::class.java) {
                runBlocking { regimen.updateKnowledge("http://updates.example/kb.bundle", UrlConnectionHttp()) }
            }
            assertEquals("url", bad.field)
            assertEquals(1uL, regimen.knowledgeInfo().version)
        }
    }
}
