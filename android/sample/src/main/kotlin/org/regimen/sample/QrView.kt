// Draws a QR code (encoded by the library's plain-Kotlin QrCode) with a quiet zone.
package org.regimen.sample

import android.content.Context
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.view.View
import org.regimen.android.QrCode

/** A square view showing one QR code, or nothing. */
class QrView(context: Context) : View(context) {
    private var code: QrCode? = null
    private val dark = Paint().apply { color = Color.BLACK }

    /** Shows [text] as a QR code; nothing if it is too long for one. */
    fun show(text: String) {
        code = try {
            QrCode.encode(text)
        } catch (e: IllegalArgumentException) {
            null
        }
        invalidate()
    }

    override fun onDraw(canvas: Canvas) {
        super.onDraw(canvas)
        canvas.drawColor(Color.WHITE)
        val qr = code ?: return
        val modules = qr.size + 2 * QUIET
        val cell = minOf(width, height).toFloat() / modules
        for (y in 0 until qr.size) {
            for (x in 0 until qr.size) {
                if (!qr.isDark(x, y)) continue
                val left = (x + QUIET) * cell
                val top = (y + QUIET) * cell
                canvas.drawRect(left, top, left + cell, top + cell, dark)
            }
        }
    }

    private companion object {
        const val QUIET = 4
    }
}
