// The platform HTTP client against servers on loopback: what it sends, what it returns, and
// that each way of failing is the typed error the library expects.
package org.regimen.android

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.util.Collections
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.regimen.bindings.HttpException
import org.regimen.bindings.HttpMethod
import org.regimen.bindings.HttpRequest
import org.regimen.bindings.HttpResponse
import org.regimen.bindings.core.HttpHeader

class UrlConnectionHttpTest {
    /** What one request looked like on the wire. */
    private data class Seen(val method: String, val path: String, val headers: Map<String, List<String>>, val body: ByteArray)

    private fun <T> withServer(handle: (HttpExchange) -> Unit, block: (base: String, seen: List<Seen>) -> T): T {
        val seen = Collections.synchronizedList(mutableListOf<Seen>())
        val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        server.createContext("/") { exchange ->
            val headers = exchange.requestHeaders.mapKeys { it.key.lowercase() }
            seen += Seen(exchange.requestMethod, exchange.requestURI.path, headers, exchange.requestBody.readAllBytes())
            handle(exchange)
            exchange.close()
        }
        server.start()
        try {
            return block("http://127.0.0.1:${server.address.port}", seen)
        } finally {
            server.stop(0)
        }
    }

    private fun request(
        url: String,
        method: HttpMethod = HttpMethod.GET,
        headers: List<HttpHeader> = emptyList(),
        body: ByteArray? = null,
        timeoutMs: UInt = 5_000u,
        followRedirects: Boolean = false,
        maxBytes: UInt = 1_000u,
    ) = HttpRequest(method, url, headers, body, 2_000u, timeoutMs, followRedirects, maxBytes)

    private fun send(request: HttpRequest): HttpResponse = runBlocking { UrlConnectionHttp().send(request) }

    private fun reply(status: Int, body: ByteArray, vararg headers: Pair<String, String>): (HttpExchange) -> Unit = { exchange ->
        headers.forEach { (name, value) -> exchange.responseHeaders.add(name, value) }
        exchange.sendResponseHeaders(status, if (body.isEmpty()) -1 else body.size.toLong())
        if (body.isNotEmpty()) exchange.responseBody.use { it.write(body) }
    }

    @Test
    fun `a GET sends the given headers and a fixed agent, and returns status, headers and body`() {
        withServer(reply(200, "bundle".toByteArray(), "ETag" to "\"kb-2\"")) { base, seen ->
            val answer = send(request("$base/kb.bundle", headers = listOf(HttpHeader("If-None-Match", "\"kb-1\""))))
            assertEquals(200.toUShort(), answer.status)
            assertArrayEquals("bundle".toByteArray(), answer.body)
            assertEquals("\"kb-2\"", answer.headers.single { it.name.equals("etag", ignoreCase = true) }.value)
            val wire = seen.single()
            assertEquals("GET" to "/kb.bundle", wire.method to wire.path)
            assertEquals(listOf("\"kb-1\""), wire.headers["if-none-match"])
            assertEquals(listOf("Regimen"), wire.headers["user-agent"], "never the device's own agent")
            assertNull(wire.headers["cookie"])
            assertNull(wire.headers["authorization"])
        }
    }

    @Test
    fun `a POST carries its body and headers, and an error status comes back with its body`() {
        val payload = ByteArray(3000) { (it % 251).toByte() }
        withServer(reply(413, "too big".toByteArray())) { base, seen ->
            val answer = send(
                request(
                    "$base/push/ben",
                    HttpMethod.POST,
                    listOf(HttpHeader("TTL", "86400"), HttpHeader("Content-Encoding", "aes128gcm")),
                    payload,
                ),
            )
            assertEquals(413.toUShort(), answer.status)
            assertArrayEquals("too big".toByteArray(), answer.body)
            val wire = seen.single()
            assertEquals("POST", wire.method)
            assertArrayEquals(payload, wire.body)
            assertEquals(listOf("86400"), wire.headers["ttl"])
            assertEquals(listOf("aes128gcm"), wire.headers["content-encoding"])
        }
    }

    @Test
    fun `a redirect is returned as it is unless the request allows following it`() {
        withServer({ exchange ->
            if (exchange.requestURI.path == "/old") {
                reply(302, ByteArray(0), "Location" to "/new")(exchange)
            } else {
                reply(200, "moved".toByteArray())(exchange)
            }
        }) { base, seen ->
            val kept = send(request("$base/old"))
            assertEquals(302.toUShort(), kept.status)
            assertEquals(1, seen.size, "not followed")
            val followed = send(request("$base/old", followRedirects = true))
            assertEquals(200.toUShort(), followed.status)
            assertArrayEquals("moved".toByteArray(), followed.body)
            assertEquals(listOf("/old", "/old", "/new"), seen.map { it.path })
        }
    }

    @Test
    fun `an answer longer than allowed is TooLarge, with or without a length`() {
        val big = ByteArray(5_000)
        withServer(reply(200, big)) { base, _ ->
            assertThrows(HttpException.TooLarge::class.java) { send(request("$base/kb", maxBytes = 4_999u)) }
            assertEquals(5_000, send(request("$base/kb", maxBytes = 5_000u)).body.size)
        }
        // Chunked: no Content-Length to refuse early, so the limit is kept while reading.
        withServer({ exchange ->
            exchange.sendResponseHeaders(200, 0)
            exchange.responseBody.use { out -> repeat(10) { out.write(ByteArray(1_000)); out.flush() } }
        }) { base, _ ->
            assertThrows(HttpException.TooLarge::class.java) { send(request("$base/kb", maxBytes = 9_999u)) }
        }
    }

    @Test
    fun `nobody listening is Unreachable and a silent server is Timeout`() {
        val port = ServerSocket(0).use { it.localPort }
        assertThrows(HttpException.Unreachable::class.java) { send(request("http://127.0.0.1:$port/kb")) }
        ServerSocket(0).use { silent ->
            // Accepts the connection (the backlog does) and never answers.
            val failure = assertThrows(HttpException.Timeout::class.java) {
                send(request("http://127.0.0.1:${silent.localPort}/kb", timeoutMs = 300u))
            }
            assertTrue(failure.reason.isNotEmpty())
        }
    }
}
