// The HTTP client Regimen's network calls go through on Android (and on a JVM): the platform's
// HttpURLConnection, so TLS, trust (the app's network security configuration, certificates the
// user installs), proxies and VPNs are the phone's own. Plain Kotlin on java.net, so its logic
// runs in the JVM tests against the real library.
package org.regimen.android

import java.io.ByteArrayOutputStream
import java.io.IOException
import java.io.InputStream
import java.net.HttpURLConnection
import java.net.SocketTimeoutException
import java.net.URI
import java.net.UnknownHostException
import javax.net.ssl.SSLException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.regimen.bindings.HttpClient
import org.regimen.bindings.HttpException
import org.regimen.bindings.HttpMethod
import org.regimen.bindings.HttpRequest
import org.regimen.bindings.HttpResponse
import org.regimen.bindings.core.HttpHeader

/**
 * Makes the library's requests with [HttpURLConnection] on [io].
 *
 * It sends the request's headers and a fixed `User-Agent` (the platform's names the device), no
 * cookies and nothing cached; it follows redirects only when the request allows, and then only
 * those HttpURLConnection follows (the same scheme, so never from https to http). It reads at most
 * `maxResponseBytes` of the answer and gives up at the request's deadline.
 */
class UrlConnectionHttp(private val io: CoroutineDispatcher = Dispatchers.IO) : HttpClient {
    override suspend fun send(request: HttpRequest): HttpResponse = withContext(io) { exchange(request) }

    private fun exchange(request: HttpRequest): HttpResponse {
        val deadline = System.nanoTime() + request.timeoutMs.toLong() * 1_000_000
        val connection = try {
            URI(request.url).toURL().openConnection() as HttpURLConnection
        } catch (e: Exception) {
            throw HttpException.Failed("the URL cannot be opened")
        }
        try {
            connection.requestMethod = if (request.method == HttpMethod.POST) "POST" else "GET"
            connection.connectTimeout = request.connectTimeoutMs.toInt()
            connection.readTimeout = request.timeoutMs.toInt()
            connection.instanceFollowRedirects = request.followRedirects
            connection.useCaches = false
            connection.setRequestProperty("User-Agent", USER_AGENT)
            for (header in request.headers) connection.addRequestProperty(header.name, header.value)
            val body = request.body
            if (body != null) {
                connection.doOutput = true
                connection.setFixedLengthStreamingMode(body.size)
                connection.outputStream.use { it.write(body) }
            }
            val status = connection.responseCode
            val headers = connection.headerFields.flatMap { (name, values) ->
                // The status line comes back under a null name.
                if (name == null) emptyList() else values.map { HttpHeader(name, it) }
            }
            val limit = request.maxResponseBytes.toLong()
            if (connection.contentLengthLong > limit) throw tooLarge()
            val stream: InputStream? = if (status >= 400) connection.errorStream else connection.inputStream
            val bytes = stream?.use { read(it, limit, deadline) } ?: ByteArray(0)
            return HttpResponse(status.toUShort(), headers, bytes)
        } catch (e: HttpException) {
            throw e
        } catch (e: SocketTimeoutException) {
            throw HttpException.Timeout("no answer in time")
        } catch (e: UnknownHostException) {
            throw HttpException.Unreachable("the name did not resolve")
        } catch (e: SSLException) {
            throw HttpException.Unreachable("TLS failed")
        } catch (e: java.net.ConnectException) {
            throw HttpException.Unreachable("no connection")
        } catch (e: IOException) {
            throw HttpException.Failed("the exchange did not complete")
        } finally {
            connection.disconnect()
        }
    }

    /** Reads [stream] whole, refusing past [limit] bytes or after [deadline] (System.nanoTime). */
    private fun read(stream: InputStream, limit: Long, deadline: Long): ByteArray {
        val out = ByteArrayOutputStream()
        val buffer = ByteArray(16 * 1024)
        while (true) {
            val n = stream.read(buffer)
            if (n < 0) return out.toByteArray()
            if (out.size() + n > limit) throw tooLarge()
            if (System.nanoTime() > deadline) throw HttpException.Timeout("the answer took too long")
            out.write(buffer, 0, n)
        }
    }

    private fun tooLarge() = HttpException.TooLarge("longer than the request allows")

    private companion object {
        /** The same for every user and device. */
        const val USER_AGENT = "Regimen"
    }
}
