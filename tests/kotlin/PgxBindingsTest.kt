// Kotlin tests of PGx results and warnings through the generated bindings, with input as labs
// and pharmacies send it: HLA status words, gene prefixes, brands, combination products,
// tablet-level RxNorm codes, a misspelled name, and results Regimen cannot read.
package org.regimen.tests

import java.nio.file.Path
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import org.regimen.bindings.Regimen
import org.regimen.bindings.RegimenConfig
import org.regimen.bindings.core.RegimenException
import org.regimen.bindings.core.DrugMatchKind
import org.regimen.bindings.core.MedicineInfo
import org.regimen.bindings.core.NewPgxResult
import org.regimen.bindings.core.PgxSource
import org.regimen.bindings.core.ReadingStatus
import org.regimen.bindings.core.Severity
import org.regimen.bindings.core.WarningKind

class PgxBindingsTest {
    @TempDir
    lateinit var dir: Path

    private fun open() = Regimen.open(dir.resolve("patient.db").toString(), RegimenConfig(), MemoryKeyStore())

    @Test
    fun `a lab's list imports and reads back with phenotypes`() {
        open().use { regimen ->
            val imported = regimen.importPgx("gene,diplotype\nCYP2C19,*2/*2\nHLA-B,*57:01/*08:01\n")
            assertEquals(2, imported.results.size)
            val current = regimen.pgxResults(false).associateBy { it.result.gene }
            assertEquals("Poor Metabolizer", current.getValue("CYP2C19").reading.calls.single().phenotype)
            assertEquals(PgxSource.LAB_LIST, current.getValue("CYP2C19").result.source)
            assertEquals(
                listOf("*15:02 negative", "*57:01 positive", "*58:01 negative"),
                current.getValue("HLA-B").reading.calls.map { it.lookupKey },
            )
            val bad = assertThrows(RegimenException.InvalidInput::class.java) { regimen.importPgx("CYP2D6 *1 *4") }
            assertEquals("file", bad.field)
        }
    }

    @Test
    fun `an HLA-B 57 01 positive screen as labs write it warns against abacavir in a combination product`() {
        open().use { regimen ->
            regimen.importPgx("gene,result\nHLA-B*57:01,positive\n")
            val triumeq = regimen.addMedicine(MedicineInfo(name = "Triumeq"))
            val warning = regimen.warnings().first { it.kind == WarningKind.DRUG_GENE }
            assertEquals(Severity.HIGH, warning.severity)
            assertEquals(listOf(triumeq.id), warning.medicineIds)
            assertTrue(warning.title.contains("abacavir"))
            // Ids name medicines by id, never by drug.
            assertFalse(warning.id.contains("abacavir"))
        }
    }

    @Test
    fun `a tablet-level RxNorm code under another name is checked, and a misspelled name is not checked`() {
        open().use { regimen ->
            regimen.importPgx("CYP2C19,*2/*2")
            val pill = regimen.addMedicine(MedicineInfo(name = "My heart pill", rxnorm = "309362"))
            val warning = regimen.warnings().first()
            assertEquals(Severity.HIGH, warning.severity)
            assertEquals(listOf(pill.id), warning.medicineIds)
            assertEquals("CYP2C19 Poor Metabolizer", warning.geneticPhenotype)
            regimen.addMedicine(MedicineInfo(name = "Codein"))
            val notChecked = regimen.warnings().single { it.kind == WarningKind.NOT_CHECKED }
            assertTrue(notChecked.explanation.contains("codeine"), notChecked.explanation)
        }
    }

    @Test
    fun `a result Regimen cannot read is shown, refused when typed, and never a phenotype`() {
        open().use { regimen ->
            val reading = regimen.readPgx("CYP2D6", "*1/*999")
            assertEquals(ReadingStatus.NOT_UNDERSTOOD, reading.status)
            assertEquals("*999", reading.notUnderstood?.part)
            assertTrue(reading.calls.isEmpty())
            val refused = assertThrows(RegimenException.InvalidInput::class.java) {
                regimen.addPgxResult(NewPgxResult(gene = "CYP2D6", diplotype = "*1/*999", source = PgxSource.MANUAL))
            }
            assertEquals("diplotype", refused.field)
            assertFalse(refused.message.orEmpty().contains("999"), "no genotype in an error message")
            val read = regimen.readPgx("", "CYP2C19*2/*17")
            assertEquals("Intermediate Metabolizer", read.calls.single().phenotype)
            assertEquals("*2/*17", read.readAs)
        }
    }

    @Test
    fun `drug search finds brands and generics and a medicine added from it is checked as that drug`() {
        open().use { regimen ->
            val found = regimen.searchDrugs("plav", 5u)
            val plavix = found.first()
            assertEquals("Plavix", plavix.name)
            assertEquals(DrugMatchKind.BRAND, plavix.kind)
            assertEquals(listOf("clopidogrel"), plavix.ingredients)
            assertTrue(regimen.searchDrugs("codein", 5u).any { it.name == "codeine" }, "one slip forgiven")
            regimen.importPgx("CYP2C19,*2/*2")
            regimen.addMedicine(MedicineInfo(name = "Blood thinner", drugId = plavix.id))
            assertEquals(WarningKind.DRUG_GENE, regimen.warnings().first().kind)
            assertThrows(RegimenException.InvalidInput::class.java) { regimen.searchDrugs("x", 0u) }
        }
    }
}
