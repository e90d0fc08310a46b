// The caregiver's side of push, in plain Kotlin: a scanned offer waits for the distributor's
// endpoint, which goes into answerOffer; every pushed body goes, still encrypted, to receive(),
// and the caregiver's reminders are applied again so missed-dose alerts ring.
package org.regimen.android

import java.io.File
import java.io.IOException
import java.net.URLDecoder
import java.net.URLEncoder
import java.time.Duration
import org.regimen.bindings.core.RegimenException

/**
 * A patient's offer as the caregiver's app reads it before answering.
 *
 * @property share the share's public id (random; names the push registration).
 * @property vapid the patient's VAPID public key: the registration's `applicationServerKey`.
 * @property patientName the patient's display name.
 */
class ShareOffer(val share: String, val vapid: String, val patientName: String) {
    /** The UnifiedPush instance this offer registers under. */
    val instance: String get() = INSTANCE_PREFIX + share

    /** The share id only. */
    override fun toString(): String = "ShareOffer(share=$share)"

    /** Reading offers. */
    companion object {
        /** Prefix of the UnifiedPush instances Regimen registers. */
        const val INSTANCE_PREFIX = "regimen-"

        private val BASE64URL = Regex("^[A-Za-z0-9_-]+$")

        /**
         * The offer in [payload], or null if it is not a Regimen share offer. Only what the
         * registration needs is read here; `answerOffer` checks the whole payload.
         */
        fun parse(payload: String): ShareOffer? {
            val json = MiniJson.parseObject(payload.trim()) ?: return null
            if (json["type"] != "regimen-share-offer") return null
            val share = json["share"] as? String ?: return null
            val vapid = json["vapid"] as? String ?: return null
            val name = json["name"] as? String ?: return null
            // UnifiedPush takes an uncompressed P-256 key, base64url without padding: 87 characters.
            if (!BASE64URL.matches(share) || share.length > 100 || vapid.length != 87 || !BASE64URL.matches(vapid)) return null
            return ShareOffer(share, vapid, name)
        }
    }
}

/**
 * Offers waiting for their push endpoint, one small file each under [directory] (app-private
 * storage), and the answers made once it came, until the pairing screen has shown them.
 */
class PendingPairings(private val directory: File) {
    /**
     * One pairing in progress.
     *
     * @property instance the UnifiedPush instance.
     * @property offer the offer payload as scanned.
     * @property name the caregiver's display name.
     * @property graceMinutes the chosen grace, if any.
     * @property answer the answer payload, once the endpoint came.
     */
    class Pairing(val instance: String, val offer: String, val name: String, val graceMinutes: Long?, val answer: String?) {
        /** The instance only: payloads carry names and keys. */
        override fun toString(): String = "Pairing($instance, answered=${answer != null})"
    }

    private fun fileFor(instance: String) = File(directory, URLEncoder.encode(instance, "UTF-8") + ".pairing")

    /** Keeps [pairing], replacing one with the same instance. */
    fun put(pairing: Pairing) {
        directory.mkdirs()
        val text = listOf(
            pairing.instance, pairing.offer, pairing.name,
            pairing.graceMinutes?.toString() ?: "-", pairing.answer ?: "-",
        ).joinToString("\n") { URLEncoder.encode(it, "UTF-8") }
        val target = fileFor(pairing.instance)
        val partial = File(target.path + ".partial")
        partial.writeText(text)
        if (!partial.renameTo(target)) throw IOException("could not save the pairing")
    }

    /** The pairing under [instance], or null. */
    fun get(instance: String): Pairing? = try {
        val f = fileFor(instance)
        if (!f.exists()) {
            null
        } else {
            val parts = f.readText().split("\n").map { URLDecoder.decode(it, "UTF-8") }
            if (parts.size != 5) null else Pairing(parts[0], parts[1], parts[2], parts[3].toLongOrNull(), parts[4].takeIf { it != "-" })
        }
    } catch (e: IOException) {
        null
    } catch (e: IllegalArgumentException) {
        null
    }

    /** Forgets the pairing under [instance]. */
    fun remove(instance: String) {
        fileFor(instance).delete()
    }
}

/** What an endpoint from the distributor led to. */
sealed class EndpointOutcome {
    /** The offer was answered: show [step]'s payload to the patient. */
    data class Answered(
        /** The answer and the share it made. */
        val step: PairingStep,
    ) : EndpointOutcome() {
        /** The share only. */
        override fun toString(): String = "Answered(share=${step.share.id})"
    }

    /**
     * A new endpoint for a share already answered: the patient's phone still sends to the old
     * one, so the caregiver must pair again (Regimen has no message from caregiver to patient).
     */
    data object PairAgain : EndpointOutcome()

    /** The offer was refused by the library (expired, malformed, or the endpoint is not HTTPS). */
    data class Refused(
        /** The library's reason (no health data). */
        val reason: String,
    ) : EndpointOutcome()
}

/**
 * The caregiver's push logic. The Android receiver hands it the distributor's events; it holds
 * no Android types.
 */
class CaregiverPush(
    private val client: RegimenClient,
    private val pairings: PendingPairings,
    private val reminders: Reminders?,
) {
    /**
     * Step 1, after the caregiver scanned [offerPayload]: keeps it until the endpoint comes and
     * returns the offer, whose [ShareOffer.instance] and [ShareOffer.vapid] go to
     * `UnifiedPush.register`. Null if the payload is not an offer.
     */
    fun begin(offerPayload: String, caregiverName: String, grace: Duration? = null): ShareOffer? {
        val offer = ShareOffer.parse(offerPayload) ?: return null
        pairings.put(PendingPairings.Pairing(offer.instance, offerPayload.trim(), caregiverName, grace?.toMinutes(), null))
        return offer
    }

    /** Step 2, `onNewEndpoint`: answers the waiting offer with [endpoint]. */
    suspend fun onNewEndpoint(instance: String, endpoint: String): EndpointOutcome {
        val pairing = pairings.get(instance) ?: return EndpointOutcome.PairAgain
        if (pairing.answer != null) return EndpointOutcome.PairAgain
        return try {
            val step = client.answerOffer(pairing.offer, endpoint, pairing.name, pairing.graceMinutes?.let { Duration.ofMinutes(it) })
            pairings.put(PendingPairings.Pairing(instance, pairing.offer, pairing.name, pairing.graceMinutes, step.payload))
            EndpointOutcome.Answered(step)
        } catch (e: RegimenException.InvalidInput) {
            EndpointOutcome.Refused("${e.field}: ${e.reason}")
        } catch (e: RegimenException.Conflict) {
            EndpointOutcome.Refused(e.reason)
        }
    }

    /** The answer to show for [instance] once the endpoint came, else null. */
    fun answerFor(instance: String): String? = pairings.get(instance)?.answer

    /** The pairing screen showed the answer: forget the payloads. */
    fun finish(instance: String) = pairings.remove(instance)

    /**
     * `onMessage`: hands the raw encrypted [body] to the library and applies the caregiver's
     * reminders again. Returns what the body was, or null if it was not a Regimen message.
     */
    suspend fun onMessage(body: ByteArray): ReceivedMessage? {
        val received = try {
            client.receive(body)
        } catch (e: RegimenException.InvalidInput) {
            return null
        }
        if (!received.ignored) reminders?.reapply(ReapplyReason.PUSH)
        return received
    }

    /** `onUnregistered` or a failed registration: the waiting offer cannot be answered. */
    fun onUnregistered(instance: String) = pairings.remove(instance)
}
