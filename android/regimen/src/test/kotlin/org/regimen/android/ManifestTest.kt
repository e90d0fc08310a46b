// The library's and the sample's manifests, read as XML: the permissions asked for, which
// components other apps can reach, and the broadcasts that re-arm reminders.
package org.regimen.android

import java.io.File
import javax.xml.parsers.DocumentBuilderFactory
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.w3c.dom.Element

class ManifestTest {
    private val androidNs = "http://schemas.android.com/apk/res/android"

    private val root: File = System.getProperty("regimen.root")?.let(::File)
        ?: generateSequence(File("").absoluteFile) { it.parentFile }.first { File(it, "android/regimen").isDirectory }

    /** A component of a manifest: its tag, attributes (android: ones by local name) and filter actions. */
    private data class Component(val tag: String, val name: String, val attributes: Map<String, String>, val actions: Set<String>, val categories: Set<String>)

    private fun children(element: Element, tag: String): List<Element> {
        val nodes = element.getElementsByTagName(tag)
        return (0 until nodes.length).map { nodes.item(it) as Element }
    }

    private fun read(path: String): Pair<Element, List<Component>> {
        val factory = DocumentBuilderFactory.newInstance().apply {
            isNamespaceAware = true
            setFeature("http://apache.org/xml/features/disallow-doctype-decl", true)
        }
        val manifest = factory.newDocumentBuilder().parse(File(root, path)).documentElement
        val components = listOf("activity", "receiver", "service", "provider").flatMap { tag ->
            children(manifest, tag).map { element ->
                val attributes = (0 until element.attributes.length).associate { i ->
                    val attr = element.attributes.item(i)
                    (if (attr.namespaceURI == androidNs) attr.localName else attr.nodeName) to attr.nodeValue
                }
                Component(
                    tag,
                    attributes.getValue("name"),
                    attributes,
                    children(element, "action").map { it.getAttributeNS(androidNs, "name") }.toSet(),
                    children(element, "category").map { it.getAttributeNS(androidNs, "name") }.toSet(),
                )
            }
        }
        return manifest to components
    }

    private fun permissions(manifest: Element) = children(manifest, "uses-permission").map { it.getAttributeNS(androidNs, "name") }.toSet()

    /** Whether a class of that fully qualified name is declared in the Kotlin sources under android/. */
    private fun declared(qualified: String): Boolean {
        val pkg = qualified.substringBeforeLast('.')
        val simple = qualified.substringAfterLast('.')
        return File(root, "android").walkTopDown().filter { it.extension == "kt" }.any { file ->
            val text = file.readText()
            text.contains("package $pkg\n") && Regex("""\bclass $simple\b""").containsMatchIn(text)
        }
    }

    @Test
    fun `the library asks for exactly the permissions its reminders and caregiver messages need`() {
        val (manifest, _) = read("android/regimen/src/main/AndroidManifest.xml")
        assertEquals(
            setOf(
                "android.permission.POST_NOTIFICATIONS",
                "android.permission.SCHEDULE_EXACT_ALARM",
                "android.permission.RECEIVE_BOOT_COMPLETED",
                "android.permission.INTERNET",
                "android.permission.ACCESS_NETWORK_STATE",
            ),
            permissions(manifest),
        )
        assertFalse("android.permission.USE_EXACT_ALARM" in permissions(manifest), "reserved for alarm clocks and calendars by Play policy")
    }

    @Test
    fun `only the push receiver is exported, and every component says so explicitly`() {
        val (_, components) = read("android/regimen/src/main/AndroidManifest.xml")
        assertEquals(
            mapOf(
                "org.regimen.android.ReminderAlarmReceiver" to "false",
                "org.regimen.android.ReminderActionReceiver" to "false",
                "org.regimen.android.RearmReceiver" to "false",
                "org.regimen.android.RegimenPushReceiver" to "true",
                "org.regimen.android.OutboxJobService" to "false",
            ),
            components.associate { it.name to it.attributes["exported"] },
        )
        for (component in components) assertTrue(declared(component.name), "${component.name} is a class in android/")
        val job = components.single { it.tag == "service" }
        assertEquals("android.permission.BIND_JOB_SERVICE", job.attributes["permission"])
    }

    @Test
    fun `the re-arm receiver hears every trigger the code handles, and the alarm receiver works before the first unlock`() {
        val (_, components) = read("android/regimen/src/main/AndroidManifest.xml")
        val byName = components.associateBy { it.name.substringAfterLast('.') }
        val rearm = byName.getValue("RearmReceiver")
        assertEquals(RearmTriggers.actions, rearm.actions)
        assertEquals("true", rearm.attributes["directBootAware"])
        assertEquals("true", byName.getValue("ReminderAlarmReceiver").attributes["directBootAware"])
        assertTrue(byName.getValue("ReminderAlarmReceiver").actions.isEmpty(), "reached by explicit PendingIntents only")
        assertTrue(byName.getValue("ReminderActionReceiver").actions.isEmpty(), "reached by explicit PendingIntents only")
        assertFalse(byName.getValue("ReminderActionReceiver").attributes.containsKey("directBootAware"), "answers need the database")
        assertEquals(
            setOf("MESSAGE", "UNREGISTERED", "NEW_ENDPOINT", "REGISTRATION_FAILED", "TEMP_UNAVAILABLE")
                .map { "org.unifiedpush.android.connector.$it" }.toSet(),
            byName.getValue("RegimenPushReceiver").actions,
        )
    }

    @Test
    fun `the sample launches one exported activity, keeps its data out of backups and is Regimen's host`() {
        val (manifest, components) = read("android/sample/src/main/AndroidManifest.xml")
        assertTrue(permissions(manifest).isEmpty(), "the library's manifest brings them")
        val application = children(manifest, "application").single()
        assertEquals("false", application.getAttributeNS(androidNs, "allowBackup"))
        val appClass = application.getAttributeNS(androidNs, "name")
        assertTrue(declared(appClass))
        val source = File(root, "android/sample/src/main/kotlin").walkTopDown().first { it.name == appClass.substringAfterLast('.') + ".kt" }
        assertTrue(source.readText().contains("RegimenHost"), "the receivers find Regimen through the Application")

        val exported = components.filter { it.attributes["exported"] == "true" }
        assertEquals(listOf("org.regimen.sample.TodayActivity"), exported.map { it.name })
        assertEquals(setOf("android.intent.action.MAIN"), exported.single().actions)
        assertEquals(setOf("android.intent.category.LAUNCHER"), exported.single().categories)
        assertEquals(setOf("TodayActivity", "SettingsActivity", "PairingActivity"), components.map { it.name.substringAfterLast('.') }.toSet())
        for (component in components) {
            assertTrue(component.attributes.containsKey("exported"), "${component.name} says whether it is exported")
            assertTrue(declared(component.name), "${component.name} is a class in android/")
        }
    }
}
