// Supply through the facade and the real library: stock and run-out forecasts, refill
// reminders answered from their notification, and a refill round trip with a pharmacy that a
// test-local HTTP server plays on loopback.
package org.regimen.android

import com.sun.net.httpserver.HttpServer
import java.io.File
import java.net.InetAddress
import java.net.InetSocketAddress
import java.nio.file.Path
import java.time.Duration
import java.util.Collections
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.bindings.core.FhirPrescriptionRef

class SupplyTest {
    @TempDir
    lateinit var dir: Path

    private val port = FakePort()
    private val device = FakeDevice(port = port)
    private val opened = mutableListOf<RegimenClient>()

    @AfterEach
    fun close() = opened.forEach { it.close() }

    private fun client(): RegimenClient = openClient(dir.toFile()).also { opened += it }

    private fun reminders(client: RegimenClient) = Reminders(
        client,
        ReminderScheduler(port, FileAppliedStore(File(dir.toFile(), "applied"), File(dir.toFile(), "boot-copy")), TEST_KEY),
        device,
        AlarmClockMedicines(File(dir.toFile(), "alarm-clock")),
    )

    /** A medicine taken every 12 hours from [first], its stock tracked in tablets with [tablets] in. */
    private suspend fun tracked(client: RegimenClient, first: java.time.Instant, tablets: Double): Long {
        val medicine = client.addMedicine(MedicineInfo(name = "Metformin"), everyFrom(first, Duration.ofHours(12)))
        client.trackSupply(medicine.id, SupplySettings(unit = "tablet", packSize = null, leadDays = 7u))
        client.received(medicine.id, tablets, SupplySource.PACK)
        return medicine.id
    }

    @Test
    fun `the run-out follows the stock, and a count moves it at once`() = runBlocking {
        val client = client()
        val first = thisMinute().plus(Duration.ofHours(1))
        val id = tracked(client, first, 10.0)
        assertEquals(10.0, client.stock(id).onHand)
        // Ten tablets cover the doses at first + 0, 12, ..., 108 hours; the one at 120 h is not.
        val forecast = client.forecast(id)
        assertEquals(ForecastBasis.SCHEDULE, forecast.basis)
        assertEquals(first.plus(Duration.ofHours(120)), forecast.runOutAt)
        assertEquals(first.plus(Duration.ofHours(120)).minus(Duration.ofDays(7)), forecast.refillFrom)

        // The patient counts four: the run-out moves to the fifth dose, 48 hours after the first.
        val (before, after) = client.forecasts.aroundChange { client.counted(id, 4.0) }
        assertEquals(first.plus(Duration.ofHours(120)), before.single().runOutAt)
        assertEquals(first.plus(Duration.ofHours(48)), after.single().runOutAt)

        // Until 66 hours after the first dose: six doses (0 to 60 h) are needed, four are here.
        val need = client.supplyCheck(first.plus(Duration.ofHours(66))).single()
        assertEquals(6.0, need.needed)
        assertEquals(4.0, need.onHand)
        assertEquals(2.0, need.shortfall)
    }

    @Test
    fun `a refill reminder rings on its own channel, and Refill requested quiets it until stock comes in`() = runBlocking {
        val client = client()
        val id = tracked(client, thisMinute().plus(Duration.ofMinutes(30)), 3.0)
        val reminders = reminders(client)
        reminders.reapply(ReapplyReason.APP_START)
        val refill = port.armed.values.firstOrNull { it.reminder.kind == NotificationKind.REFILL }
        assertNotNull(refill, "three tablets at two a day run out within the week's lead time")
        refill!!
        assertEquals(ReminderChannel.REFILLS, refill.channel)
        assertEquals(listOf(id), refill.reminder.medicineIds)
        assertTrue(refill.answerable)
        assertEquals(
            listOf(ReminderAnswer.REFILL_REQUESTED, ReminderAnswer.ENOUGH, ReminderAnswer.SNOOZE),
            ReminderAnswer.offeredFor(refill.reminder.kind),
        )
        assertTrue(reminders.stillWanted(refill))
        // The reminder is on screen when the patient taps its button.
        val onScreen = with(refill.reminder) { PostedReminder(group, kind, medicineIds, dueAt, fireAt) }
        port.posted += onScreen

        val outcome = reminders.answer(ReminderAction(ReminderAnswer.REFILL_REQUESTED, refill.reminder))
        assertEquals(listOf(id), outcome.logged)
        assertTrue(port.armed.values.none { it.reminder.kind == NotificationKind.REFILL }, "every refill alarm is cancelled")
        assertTrue(onScreen in port.dismissed, "the refill notification on screen is dismissed")
        assertTrue(!reminders.stillWanted(refill), "a late delivery of its alarm posts nothing")
        val again = reminders.answer(ReminderAction(ReminderAnswer.REFILL_REQUESTED, refill.reminder))
        assertEquals(listOf(id), again.alreadyAnswered, "a second delivery of the tap records nothing")

        // Stock comes in, then is used up to two: the reminders are back.
        client.received(id, 1.0)
        reminders.reapply(ReapplyReason.CHANGE)
        client.counted(id, 2.0)
        reminders.reapply(ReapplyReason.CHANGE)
        assertTrue(port.armed.values.any { it.reminder.kind == NotificationKind.REFILL && it.reminder.medicineIds == listOf(id) })
    }

    @Test
    fun `a refill request goes to the pharmacy on loopback, is followed to its dispense, and adds the stock`() = runBlocking {
        val pharmacy = FakePharmacy()
        try {
            val client = client()
            val id = tracked(client, thisMinute().plus(Duration.ofHours(1)), 5.0)
            client.addPrescription(
                NewPrescription(
                    medicineId = id,
                    repeatsAllowed = 3u,
                    repeatsUsed = 0u,
                    validUntil = null,
                    quantityPerDispense = 30.0,
                    expectedSupplyDays = 15u,
                    fhir = FhirPrescriptionRef(id = "rx-1", identifier = null, subject = null),
                ),
            )
            client.setPharmacy(Pharmacy(pharmacy.baseUrl, name = "Corner pharmacy", patient = null, deliveryDays = null, fulfilment = Fulfilment.PICKUP))
            val order = client.requestRefill(id)
            assertEquals(RefillState.QUEUED, order.state)

            val sent = client.sendRefills()
            assertEquals(1u, sent.sent)
            assertEquals(RefillState.SENT, client.refillOrders(id).single().state)
            val post = pharmacy.requests.single { it.first == "POST" }
            assertTrue(post.second.endsWith("/Task"))
            assertTrue(pharmacy.created!!.contains("\"resourceType\":\"Task\""))
            assertTrue(pharmacy.ifNoneExist!!.contains("|"), "the create is conditional on the request's own identifier")

            // The pharmacy hands it over: the next pass reads the Task, then its dispense.
            pharmacy.complete(quantity = 30)
            val done = client.sendRefills()
            assertEquals(1u, done.done)
            assertEquals(RefillState.DONE, client.refillOrders(id).single().state)
            assertEquals(35.0, client.stock(id).onHand)
            assertEquals(1u, client.prescriptions(id).single().details.repeatsUsed)
            assertTrue(pharmacy.requests.any { it.first == "GET" && it.second.endsWith("/MedicationDispense/d-1") })

            // Nothing more is sent for a finished request.
            val count = pharmacy.requests.size
            client.sendRefills()
            assertEquals(count, pharmacy.requests.size)
        } finally {
            pharmacy.stop()
        }
    }
}

/**
 * A pharmacy's FHIR endpoint on 127.0.0.1: a `POST /Task` is stored with an id (201), `GET
 * /Task/t-1` returns it, and after [complete] it is completed with a dispense to read.
 */
private class FakePharmacy {
    private val server: HttpServer = HttpServer.create(InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0)

    /** Method and path of every request, in order. */
    val requests: MutableList<Pair<String, String>> = Collections.synchronizedList(mutableListOf())

    /** The Task as created, and the create's If-None-Exist header. */
    @Volatile var created: String? = null

    @Volatile var ifNoneExist: String? = null

    @Volatile private var task: String? = null

    @Volatile private var dispense: String? = null

    /** The FHIR base URL. */
    val baseUrl: String get() = "http://127.0.0.1:${server.address.port}/fhir"

    init {
        server.createContext("/fhir") { exchange ->
            val method = exchange.requestMethod
            val path = exchange.requestURI.path
            requests += method to path
            val (status, body) = when {
                method == "POST" && path == "/fhir/Task" -> {
                    val sent = exchange.requestBody.readBytes().decodeToString()
                    created = sent
                    ifNoneExist = exchange.requestHeaders.getFirst("If-None-Exist")
                    task = sent.replaceFirst("{", "{\"id\":\"t-1\",")
                    201 to task!!
                }
                method == "GET" && path == "/fhir/Task/t-1" && task != null -> 200 to task!!
                method == "GET" && path == "/fhir/MedicationDispense/d-1" && dispense != null -> 200 to dispense!!
                else -> 404 to """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}"""
            }
            val bytes = body.encodeToByteArray()
            exchange.responseHeaders.add("Content-Type", "application/fhir+json")
            exchange.sendResponseHeaders(status, bytes.size.toLong())
            exchange.responseBody.use { it.write(bytes) }
        }
        server.start()
    }

    /** The Task is completed with a dispense of [quantity] tablets for prescription rx-1. */
    fun complete(quantity: Int) {
        task = task!!.replace(Regex("\"status\"\\s*:\\s*\"[a-z-]+\""), "\"status\":\"completed\"")
            .replaceFirst("{", "{\"output\":[{\"type\":{\"text\":\"dispense\"},\"valueReference\":{\"reference\":\"MedicationDispense/d-1\"}}],")
        dispense = """{"resourceType":"MedicationDispense","id":"d-1","status":"completed",""" +
            """"authorizingPrescription":[{"reference":"MedicationRequest/rx-1"}],""" +
            """"quantity":{"value":$quantity,"unit":"tablet"},"whenHandedOver":"2026-01-05T10:00:00Z"}"""
    }

    fun stop() = server.stop(0)
}
