// Caregiver pairing: the patient's offer and the caregiver's answer, as text and as a QR code.
package org.regimen.sample

import android.app.Activity
import android.os.Bundle
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.TextView
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import org.regimen.android.PairingEvent
import org.regimen.android.RegimenAndroid
import org.regimen.android.RegimenPushReceiver
import org.regimen.android.ShareScope
import org.regimen.bindings.core.RegimenException

/**
 * Both sides of pairing. Patient: offer a share, show it, paste the answer. Caregiver: paste the
 * offer, register with the UnifiedPush distributor, show the answer once the endpoint came.
 * Regimen runs no server: messages go through the caregiver's own push service.
 */
class PairingActivity : Activity() {
    private val scope = MainScope()
    private val regimen: RegimenAndroid get() = RegimenAndroid.from(this)
    private lateinit var payload: TextView
    private lateinit var qr: QrView
    private lateinit var status: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val column = column(this)
        status = text(this, "")
        payload = text(this, "", 12f).apply { setTextIsSelectable(true) }
        qr = QrView(this)

        column.addView(text(this, "I am the patient", 18f))
        val patientName = EditText(this).apply { hint = "Your name as the caregiver sees it" }
        column.addView(patientName)
        column.addView(
            button(this, "Offer a share") {
                call { show(regimen.client().offerShare(patientName.text.toString(), listOf(ShareScope.MEDICINES)).payload) }
            },
        )
        val answer = EditText(this).apply { hint = "Paste the caregiver's answer" }
        column.addView(answer)
        column.addView(
            button(this, "Accept the answer") {
                call {
                    val share = regimen.client().acceptAnswer(answer.text.toString())
                    status.text = "Sharing with ${share.peerName ?: "your caregiver"}."
                }
            },
        )

        column.addView(text(this, "I am the caregiver", 18f))
        val offer = EditText(this).apply { hint = "Paste the patient's offer" }
        val caregiverName = EditText(this).apply { hint = "Your name as the patient sees it" }
        column.addView(offer)
        column.addView(caregiverName)
        column.addView(
            button(this, "Answer with this phone") {
                call {
                    val registered = RegimenPushReceiver.answer(this, offer.text.toString(), caregiverName.text.toString())
                    status.text = if (registered == null) "That is not a Regimen offer." else "Waiting for the push distributor..."
                }
            },
        )
        column.addView(status)
        column.addView(qr, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0).apply { height = resources.displayMetrics.widthPixels })
        column.addView(payload)

        scope.launch {
            regimen.pairingEvents.collect { event ->
                when (event) {
                    is PairingEvent.Answered -> {
                        show(event.answer)
                        status.text = "Show this answer to the patient."
                    }
                    is PairingEvent.Failed -> status.text = "No push endpoint: ${event.reason}. Install a UnifiedPush distributor (ntfy, Sunup)."
                    is PairingEvent.PairAgain -> status.text = "The push endpoint changed: pair again."
                }
            }
        }
    }

    private fun show(text: String) {
        payload.text = text
        qr.show(text)
    }

    private fun call(block: suspend () -> Unit) {
        scope.launch {
            try {
                block()
            } catch (e: RegimenException) {
                status.text = explain(e)
            }
        }
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }
}
