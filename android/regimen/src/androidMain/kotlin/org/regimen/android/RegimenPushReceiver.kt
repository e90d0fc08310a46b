// The caregiver's UnifiedPush receiver (needs the connector AAR; compiled here against the
// classes.jar inside it). Regimen makes and keeps the Web Push subscription's keys itself, so
// the key manager decrypts nothing: the connector hands the raw aes128gcm body to onMessage.
package org.regimen.android

import android.app.Activity
import android.content.Context
import org.unifiedpush.android.connector.FailedReason
import org.unifiedpush.android.connector.MessagingReceiver
import org.unifiedpush.android.connector.UnifiedPush
import org.unifiedpush.android.connector.data.PublicKeySet
import org.unifiedpush.android.connector.data.PushEndpoint
import org.unifiedpush.android.connector.data.PushMessage
import org.unifiedpush.android.connector.keys.KeyManager

/**
 * The connector's key manager for Regimen's registrations. The subscription's P-256 key and auth
 * secret are made by `answerOffer` and kept sealed in the database, so there is nothing for the
 * connector to generate, publish, keep or delete, and [decrypt] returns null: the connector then
 * passes the body on as it arrived (`PushMessage.decrypted == false`), for `receive(bytes)`.
 */
object RegimenKeyManager : KeyManager {
    override fun decrypt(instance: String, sealed: ByteArray): ByteArray? = null

    override fun generate(instance: String) = Unit

    override fun getPublicKeySet(instance: String): PublicKeySet? = null

    override fun exists(instance: String): Boolean = true

    override fun delete(instance: String) = Unit
}

/**
 * Receives UnifiedPush events from the distributor for the caregiver's registrations (exported:
 * the distributor is another app). Declared in the manifest, it replaces the connector's own
 * receiver, so the connector never tries its default key manager on Regimen's bodies. Instances
 * not named by Regimen are left to [onOtherMessage] and friends, for an app with its own pushes.
 */
open class RegimenPushReceiver : MessagingReceiver() {
    override fun getKeyManager(context: Context): KeyManager = RegimenKeyManager

    override fun onNewEndpoint(context: Context, endpoint: PushEndpoint, instance: String) {
        if (!instance.startsWith(ShareOffer.INSTANCE_PREFIX)) return
        // A fallback distributor's temporary endpoint would outlive nothing: wait for the real one.
        if (endpoint.temporary) return
        runAsync(context) { regimen ->
            val event = when (val outcome = regimen.caregiverPush().onNewEndpoint(instance, endpoint.url)) {
                is EndpointOutcome.Answered -> PairingEvent.Answered(instance, outcome.step.payload)
                is EndpointOutcome.Refused -> PairingEvent.Failed(instance, outcome.reason)
                EndpointOutcome.PairAgain -> PairingEvent.PairAgain(instance)
            }
            regimen.report(event)
        }
    }

    override fun onMessage(context: Context, message: PushMessage, instance: String) {
        if (!instance.startsWith(ShareOffer.INSTANCE_PREFIX)) {
            onOtherMessage(context, message, instance)
            return
        }
        val body = message.content
        runAsync(context) { it.caregiverPush().onMessage(body) }
    }

    override fun onRegistrationFailed(context: Context, reason: FailedReason, instance: String) {
        if (!instance.startsWith(ShareOffer.INSTANCE_PREFIX)) return
        runAsync(context) { regimen ->
            regimen.caregiverPush().onUnregistered(instance)
            regimen.report(PairingEvent.Failed(instance, reason.name))
        }
    }

    override fun onUnregistered(context: Context, instance: String) {
        if (!instance.startsWith(ShareOffer.INSTANCE_PREFIX)) return
        runAsync(context) { regimen ->
            regimen.caregiverPush().onUnregistered(instance)
            regimen.report(PairingEvent.Failed(instance, "unregistered"))
        }
    }

    /** A message for a registration that is not Regimen's; ignored unless overridden. */
    open fun onOtherMessage(context: Context, message: PushMessage, instance: String) = Unit

    /** Registering a scanned offer with the patient's VAPID key. */
    companion object {
        /**
         * Step 1 of answering an offer on the caregiver's phone: keeps the offer, picks the
         * distributor (the current one, else the user's default, asking if needed), and registers
         * [ShareOffer.instance] with the offer's VAPID key. The endpoint comes later to
         * [onNewEndpoint], which answers the offer and reports [PairingEvent.Answered]. Returns
         * the offer, or null if [offerPayload] is not one.
         */
        suspend fun answer(activity: Activity, offerPayload: String, caregiverName: String): ShareOffer? {
            val regimen = RegimenAndroid.from(activity)
            val offer = regimen.caregiverPush().begin(offerPayload, caregiverName) ?: return null
            UnifiedPush.tryUseCurrentOrDefaultDistributor(activity) { found ->
                if (found) {
                    UnifiedPush.register(activity, offer.instance, "Regimen", offer.vapid, RegimenKeyManager)
                } else {
                    regimen.report(PairingEvent.Failed(offer.instance, "no UnifiedPush distributor"))
                }
            }
            return offer
        }
    }
}
