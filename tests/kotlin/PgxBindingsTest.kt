// Kotlin tests of PGx results through the generated bindings: import a lab's list, read the
// results with their phenotypes, and compute a phenotype without a database.
package org.regimen.tests

import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.bindings.Regimen
import org.regimen.bindings.RegimenConfig
import org.regimen.bindings.RegimenException
import org.regimen.bindings.core.MedicineInfo
import org.regimen.bindings.core.PgxSource
import org.regimen.bindings.core.Severity
import org.regimen.bindings.core.WarningKind
import org.regimen.bindings.phenotype

class PgxBindingsTest {
    @TempDir
    lateinit var dir: Path

    @Test
    fun `a lab's list imports and reads back with phenotypes`() {
        Regimen.open(dir.resolve("patient.db").toString(), RegimenConfig(), MemoryKeyStore()).use { regimen ->
            val imported = regimen.importPgx("gene,diplotype\nCYP2C19,*2/*2\nHLA-B,*57:01/*08:01\n")
            assertEquals(2, imported.results.size)
            val current = regimen.pgxResults(false).associateBy { it.result.gene }
            assertEquals("Poor Metabolizer", current.getValue("CYP2C19").calls.single().phenotype)
            assertEquals(PgxSource.LAB_LIST, current.getValue("CYP2C19").result.source)
            assertEquals(
                listOf("*15:02 negative", "*57:01 positive", "*58:01 negative"),
                current.getValue("HLA-B").calls.map { it.lookupKey },
            )
            val bad = assertThrows(RegimenException.InvalidInput::class.java) { regimen.importPgx("CYP2D6 *1 *4") }
            assertEquals("file", bad.field)
        }
    }

    @Test
    fun `a CYP2C19 poor metabolizer taking clopidogrel gets a high warning`() {
        Regimen.open(dir.resolve("patient.db").toString(), RegimenConfig(), MemoryKeyStore()).use { regimen ->
            val clopidogrel = regimen.addMedicine(MedicineInfo(name = "Plavix"))
            assertEquals(WarningKind.UNKNOWN_RESULT, regimen.warnings().single().kind)
            regimen.importPgx("CYP2C19,*2/*2")
            val warning = regimen.warnings().first()
            assertEquals(Severity.HIGH, warning.severity)
            assertEquals(listOf(clopidogrel.id), warning.medicineIds)
            assertEquals("CYP2C19 Poor Metabolizer", warning.geneticPhenotype)
            val preview = regimen.previewWarnings(MedicineInfo(name = "Clopidogrel"))
            assertEquals(setOf(WarningKind.DRUG_GENE, WarningKind.DUPLICATE), preview.map { it.kind }.toSet())
            assertTrue(preview.all { 0L in it.medicineIds })
        }
    }

    @Test
    fun `a phenotype is computed without storing anything`() {
        val call = phenotype("CYP2D6", "*1/*1x2").single()
        assertEquals("Ultrarapid Metabolizer", call.phenotype)
        assertEquals("3.0", call.activityScore)
        assertThrows(RegimenException.InvalidInput::class.java) { phenotype("CYP2D6", "*1") }
    }
}
