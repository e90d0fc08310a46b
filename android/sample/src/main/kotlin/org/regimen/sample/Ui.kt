// Views built in code (there is no generated R class here), and a coroutine scope per screen.
package org.regimen.sample

import android.app.Activity
import android.content.Context
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import org.regimen.android.Remedy
import org.regimen.android.remedy

/** A vertical list inside a scroll view, set as [activity]'s content. */
internal fun column(activity: Activity): LinearLayout {
    val column = LinearLayout(activity).apply {
        orientation = LinearLayout.VERTICAL
        val pad = (16 * resources.displayMetrics.density).toInt()
        setPadding(pad, pad, pad, pad)
    }
    activity.setContentView(ScrollView(activity).apply { addView(column) })
    return column
}

/** A row of views side by side. */
internal fun row(context: Context, vararg views: View): LinearLayout = LinearLayout(context).apply {
    orientation = LinearLayout.HORIZONTAL
    views.forEach { addView(it, LinearLayout.LayoutParams(0, ViewGroup.LayoutParams.WRAP_CONTENT, 1f)) }
}

/** A text. */
internal fun text(context: Context, value: CharSequence, size: Float = 16f): TextView = TextView(context).apply {
    text = value
    textSize = size
}

/** A button running [onClick]. */
internal fun button(context: Context, label: CharSequence, onClick: () -> Unit): Button = Button(context).apply {
    text = label
    setOnClickListener { onClick() }
}

/** What to tell the patient about a failed call, in plain words and without health data. */
internal fun explain(error: Throwable): String = when (error.remedy()) {
    Remedy.FIX_INPUT -> "Please check what you typed: ${error.message}"
    Remedy.REFRESH -> "This changed meanwhile; showing it again."
    Remedy.RETRY_LATER -> "Not available right now (is the phone unlocked, is there a network?). Try again."
    Remedy.UPDATE_APP -> "This data was saved by a newer version of the app. Please update the app."
    Remedy.RESTORE -> "The saved data is damaged. Restore a backup; nothing was deleted."
    Remedy.REPORT -> "Regimen cannot use its data as it is. Nothing was changed."
}
