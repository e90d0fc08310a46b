// The sample's Application: the one RegimenAndroid of the process, reached by Regimen's receivers.
package org.regimen.sample

import android.app.Application
import org.regimen.android.RegimenAndroid
import org.regimen.android.RegimenConfig
import org.regimen.android.RegimenHost

/** Creates Regimen for the process and starts its reminders. */
class SampleApp : Application(), RegimenHost {
    override val regimen: RegimenAndroid by lazy {
        RegimenAndroid(this, config = RegimenConfig(pushContact = "mailto:sample@regimen.invalid"))
    }

    override fun onCreate() {
        super.onCreate()
        // Direct boot: onCreate also runs before the first unlock; start() opens nothing then.
        regimen.start()
    }
}
