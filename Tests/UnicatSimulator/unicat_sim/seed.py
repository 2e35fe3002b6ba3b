"""Deterministic demo data: a product catalogue (brands → product lines → articles).

Everything, gids included, comes from one random.Random(seed), and timestamps from a
fixed base, so the same seed gives byte-identical data on every run.
"""

from __future__ import annotations

import random
import uuid

BASE_TIME = 1704103200.0  # 2024-01-01 10:00 UTC; seed timestamps count from here
VERSION = "2024.05.002"
LANGS = ["en", "nl"]

CC_LANGUAGES = {
    "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fi": "Finnish", "fr": "French",
    "hr": "Croatian", "hu": "Hungarian", "it": "Italian", "ja": "Japanese", "lt": "Lithuanian",
    "lv": "Latvian", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "sk": "Slovak", "sl": "Slovenian", "sv": "Swedish", "tr": "Turkish",
    "zh": "Chinese",
}

BRANDS = [
    ("Caravell", "NL"), ("Nordlicht", "DE"), ("Velora", "IT"), ("Brixton Tools", "GB"),
    ("Aquaflow", "NL"), ("Lumina", "BE"), ("Ferrovia", "IT"), ("Stellar Audio", "DK"),
    ("Kobalt", "SE"), ("Dune & Co", "FR"), ("Verano", "ES"), ("Polaris Outdoor", "NO"),
]

# (en, nl) product line name, (en, nl) article noun
CATEGORIES = [
    (("Kitchen taps", "Keukenkranen"), ("kitchen tap", "keukenkraan")),
    (("Shower systems", "Douchesystemen"), ("shower set", "doucheset")),
    (("LED lighting", "LED-verlichting"), ("LED spot", "LED-spot")),
    (("Pendant lamps", "Hanglampen"), ("pendant lamp", "hanglamp")),
    (("Power tools", "Elektrisch gereedschap"), ("cordless drill", "accuboormachine")),
    (("Hand tools", "Handgereedschap"), ("screwdriver set", "schroevendraaierset")),
    (("Garden furniture", "Tuinmeubelen"), ("garden chair", "tuinstoel")),
    (("Headphones", "Koptelefoons"), ("headphone", "koptelefoon")),
    (("Speakers", "Luidsprekers"), ("bookshelf speaker", "boekenplankluidspreker")),
    (("Backpacks", "Rugzakken"), ("daypack", "dagrugzak")),
    (("Tents", "Tenten"), ("dome tent", "koepeltent")),
    (("Cookware", "Kookgerei"), ("frying pan", "koekenpan")),
]

SERIES = ["Aria", "Nova", "Terra", "Luna", "Vento", "Orion", "Sierra", "Mistral", "Delta",
          "Atlas", "Zephyr", "Cirrus", "Fjord", "Solis", "Riva", "Mira"]

COLOURS = [
    ("chrome", "Chrome", "Chroom"), ("matte-black", "Matte black", "Mat zwart"),
    ("brushed-steel", "Brushed steel", "Geborsteld staal"), ("white", "White", "Wit"),
    ("anthracite", "Anthracite", "Antraciet"), ("forest-green", "Forest green", "Bosgroen"),
]

ENERGY_LABELS = ["A", "B", "C", "D", "E", "F", "G"]


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).replace("--", "-").strip("-")


def ean13(rng: random.Random) -> str:
    digits = [8, 7] + [rng.randrange(10) for _ in range(10)]
    check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits + [check]))


def both(en: str, nl: str) -> dict:
    return {"en": en, "nl": nl}


# --project-size presets: target counts of the main project (records, assets, fields,
# definitions). "small" is the demo catalogue as it always was; the bigger ones add to it.
PROJECT_SIZES = {
    "small": None,
    "medium": {"records": 10_000, "assets": 1_000, "fields": 100, "definitions": 50},
    "large": {"records": 100_000, "assets": 5_000, "fields": 400, "definitions": 200},
}
SMALL_COUNTS = {"records": 1033, "assets": 51, "fields": 16, "definitions": 14}
SPEC_CLASS_SIZE = 10  # extra fields are grouped in classes of this many
ARTICLES_PER_EXTRA_LINE = 100
FILES_PER_EXTRA_FOLDER = 500


def project_size(preset: str = "small", **overrides) -> dict | None:
    """Target counts for a preset with per-count overrides (None = the small catalogue)."""
    counts = dict(PROJECT_SIZES[preset] or SMALL_COUNTS)
    counts.update({k: v for k, v in overrides.items() if v is not None})
    for name, value in counts.items():
        if value < SMALL_COUNTS[name]:
            raise ValueError(f"--{name} must be at least {SMALL_COUNTS[name]} (the small catalogue)")
    return None if counts == SMALL_COUNTS else counts


class Seeder:
    def __init__(self, seed: int, size: dict | None = None):
        self.rng = random.Random(seed)
        self.clock = BASE_TIME
        self.size = size

    def gid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def tick(self, seconds: float = 7.3) -> float:
        self.clock += seconds + self.rng.random()
        return round(self.clock, 4)

    # -- platform (cc) data -------------------------------------------------------------

    def build(self) -> dict:
        main, other = self.gid(), self.gid()
        anna, pieter, api_user, tom = self.gid(), self.gid(), self.gid(), self.gid()
        api_key = "".join(self.rng.choice("0123456789abcdef") for _ in range(40))
        users = {
            anna: self.user(anna, "anna", "anna.devries@brightline.example", "Anna de Vries", "en"),
            pieter: self.user(pieter, "pieter", "pieter.jansen@brightline.example", "Pieter Jansen", "nl"),
            api_user: {"gid": api_user, "username": None, "email": None, "name": "unicat-bridge API key",
                       "avatar": None, "status": "active",
                       "options": {"language": "en", "timezone": "Europe/Amsterdam"}},
            tom: self.user(tom, "tom", "tom.bakker@harbourmedia.example", "Tom Bakker", "en"),
        }
        projects = {
            main: self.project(main, "Brightline product catalogue", anna, icon=f"{main}.jpg"),
            other: self.project(other, "Harbour Media archive", tom, icon=None),
        }
        memberships = {}
        for project, user, roles, frequency in [(main, anna, ["owner"], "immediate"),
                                                (main, pieter, ["member"], "daily"),
                                                (other, tom, ["owner"], "immediate")]:
            memberships[f"{project}/{user}"] = {
                "project_gid": project, "user_gid": user, "status": "active", "roles": roles,
                "options": {"notifications": {"email": users[user]["email"], "events": ["all"],
                                              "frequency": frequency},
                            "rate_limit_per_second": None}}
        memberships[f"{main}/{api_user}"] = {
            "project_gid": main, "user_gid": api_user, "status": "active", "roles": ["api"],
            "options": {"rate_limit_per_second": None}}
        data = {main: self.catalogue(projects[main]["options"]), other: self.archive()}
        return {
            "users": users, "projects": projects, "memberships": memberships,
            "logins": {"anna": {"password": "brightline-owner", "user": anna}},
            "api_keys": {api_key: {"user": api_user, "project": main}},
            "languages": dict(CC_LANGUAGES), "version": VERSION, "data": data,
            "main_project": main, "other_project": other, "api_key": api_key,
            "owner": anna, "seeded_at": self.tick(),
        }

    def user(self, gid: str, username: str, email: str, name: str, language: str) -> dict:
        return {"gid": gid, "username": username, "email": email, "name": name,
                "avatar": f"{self.gid()}.jpg", "status": "active",
                "options": {"language": language, "timezone": "Europe/Amsterdam"}}

    def project(self, gid: str, name: str, owner: str, icon: str | None) -> dict:
        return {"gid": gid, "name": name, "icon": icon, "owner": owner, "status": "active",
                "options": self.project_options(["Webshop", "Print catalogue"],
                                                ["Main ordering", "Alphabetical"],
                                                ["Main fieldlist", "Webshop export"]),
                "backups": {"versions": [], "next_version": 1}, "build": 1}

    def project_options(self, channels: list[str], orderings: list[str], fieldlists: list[str],
                        timezone: str = "Europe/Amsterdam") -> dict:
        channel_keys = [self.gid() for _ in channels]
        ordering_keys = [self.gid() for _ in orderings]
        fieldlist_keys = [self.gid() for _ in fieldlists]
        return {
            "channels": {"__all__": "[all records]", **dict(zip(channel_keys, channels))},
            "timezone": timezone,
            "languages": list(LANGS),
            "orderings": dict(zip(ordering_keys, orderings)),
            "fieldlists": dict(zip(fieldlist_keys, fieldlists)),
            "imageserver": {"type": "ccdam", "options": {}},
            "orderedchannels": ["__all__", *channel_keys],
            "orderedorderings": ordering_keys,
            "orderedfieldlists": fieldlist_keys,
        }

    # -- project data -------------------------------------------------------------------

    @staticmethod
    def empty_data() -> dict:
        return {t: {} for t in ("definitions", "classes", "fields", "layouts", "queries",
                                "records", "assets", "modules")}

    def archive(self) -> dict:
        """The second project: only a root record (nobody but its owner can read it)."""
        data = self.empty_data()
        root = self.gid()
        t = self.tick()
        data["records"][root] = {
            "gid": root, "parent": None, "canonical": root, "backlinks": [], "is_link": False,
            "treelevel": 1, "path": [root], "childcount": 0, "definition": None,
            "title": both("Archive", "Archief"), "status": "published", "channels": ["__all__"],
            "orderings": {}, "fields": {"en": {}, "nl": {}}, "created_on": t, "updated_on": t}
        return data

    def catalogue(self, options: dict) -> dict:
        data = self.empty_data()
        self.fieldlist_keys = options["orderedfieldlists"]
        self.channel_keys = options["orderedchannels"][1:]
        self.ordering_keys = options["orderedorderings"]
        self.schema(data)
        self.assets(data)
        self.records(data)
        if self.size:
            self.scale(data)
        self.modules(data)
        self.queries(data)
        return data

    def field(self, data, name, en, nl, type_="textline", localized=False, required=False,
              unit=None, options=None) -> str:
        gid = self.gid()
        data["fields"][gid] = {
            "gid": gid, "original": None, "name": name, "label": both(en, nl), "type": type_,
            "options": options or {}, "is_localized": localized, "is_required": required,
            "initial": {}, "unit": unit, "metadata": {}, "is_new": False, "is_working_copy": False}
        return gid

    def layout(self, data, name, field_gids) -> str:
        gid = self.gid()
        children = [self.gid() for _ in field_gids]
        components = {"root": {"type": "vertical", "children": children}}
        for cid, field in zip(children, field_gids):
            components[cid] = {"type": "field", "field": field}
        data["layouts"][gid] = {"gid": gid, "original": None, "name": name, "root": "root",
                                "components": components, "is_new": False, "is_working_copy": False}
        return gid

    def klass(self, data, name, en, nl, field_gids) -> str:
        gid = self.gid()
        data["classes"][gid] = {
            "gid": gid, "original": None, "name": name, "label": both(en, nl), "fields": field_gids,
            "layout": self.layout(data, f"{name}_layout", field_gids), "metadata": {},
            "is_new": False, "is_working_copy": False}
        return gid

    def definition(self, data, name, en, nl, classes, own_fields, children=(), original=None) -> str:
        gid = self.gid()
        all_fields = [f for c in classes for f in data["classes"][c]["fields"]] + own_fields
        data["definitions"][gid] = {
            "gid": gid, "original": original, "name": name, "label": both(en, nl),
            "classes": list(classes), "fields": list(own_fields), "titlefield": self.f["name"],
            "fieldlists": {self.fieldlist_keys[0]: all_fields, self.fieldlist_keys[1]: all_fields[:4]},
            "layout": self.layout(data, f"{name}_layout", all_fields),
            "childdefinitions": list(children), "metadata": {},
            "is_base": original is None, "is_extended": original is not None,
            "is_new": False, "is_working_copy": False}
        return gid

    def schema(self, data) -> None:
        f = {}
        f["name"] = self.field(data, "name", "Name", "Naam", localized=True, required=True)
        f["description"] = self.field(data, "description", "Description", "Omschrijving", "textarea", True)
        f["intro"] = self.field(data, "intro", "Introduction", "Introductie", "textarea", True)
        f["image"] = self.field(data, "image", "Image", "Afbeelding", "image")
        f["logo"] = self.field(data, "logo", "Logo", "Logo", "image")
        f["website"] = self.field(data, "website", "Website", "Website")
        f["country"] = self.field(data, "country", "Country", "Land")
        f["sku"] = self.field(data, "sku", "SKU", "Artikelnummer", required=True)
        f["ean"] = self.field(data, "ean", "EAN", "EAN")
        f["price"] = self.field(data, "price", "Price", "Prijs", "number", unit="EUR",
                                options={"decimals": 2})
        f["stock"] = self.field(data, "stock", "Stock", "Voorraad", "number", unit="pcs")
        f["colour"] = self.field(data, "colour", "Colour", "Kleur", options={"values": [
            {"key": k, "label": both(en, nl)} for k, en, nl in COLOURS]})
        f["brand"] = self.field(data, "brand", "Brand", "Merk", options={"values": [
            {"key": slug(b), "label": both(b, b)} for b, _ in BRANDS]})
        f["warranty_years"] = self.field(data, "warranty_years", "Warranty", "Garantie", "number",
                                         unit="years")
        f["voltage"] = self.field(data, "voltage", "Voltage", "Spanning", "number", unit="V")
        f["energy_label"] = self.field(data, "energy_label", "Energy label", "Energielabel",
                                       options={"values": [{"key": e, "label": both(e, e)}
                                                           for e in ENERGY_LABELS]})
        self.f = f
        basics = self.klass(data, "product_basics", "Product basics", "Productbasis",
                            [f["name"], f["description"], f["image"]])
        commerce = self.klass(data, "commerce", "Commerce", "Commercieel",
                              [f["sku"], f["ean"], f["price"], f["stock"]])
        appearance = self.klass(data, "appearance", "Appearance", "Uiterlijk", [f["colour"]])
        brand_profile = self.klass(data, "brand_profile", "Brand profile", "Merkprofiel",
                                   [f["name"], f["logo"], f["website"], f["country"], f["description"]])
        line_profile = self.klass(data, "line_profile", "Line profile", "Lijnprofiel",
                                  [f["name"], f["intro"], f["image"]])
        self.technical = self.klass(data, "technical", "Technical data", "Technische gegevens",
                                    [f["warranty_years"], f["voltage"], f["energy_label"]])
        self.article_def = self.definition(data, "article", "Article", "Artikel",
                                           [basics, commerce, appearance], [f["brand"]])
        self.line_def = self.definition(data, "product_line", "Product line", "Productlijn",
                                        [line_profile], [], [self.article_def])
        self.brand_def = self.definition(data, "brand", "Brand", "Merk", [brand_profile], [],
                                         [self.line_def])
        self.root_def = self.definition(data, "catalogue", "Catalogue", "Catalogus", [],
                                        [f["name"]], [self.brand_def])
        # Extended definitions: single articles that got extra technical fields.
        self.extended_defs = [
            self.definition(data, "article", "Article", "Artikel",
                            [basics, commerce, appearance, self.technical], [f["brand"]],
                            original=self.article_def)
            for _ in range(10)]

    def assets(self, data) -> None:
        assets = data["assets"]
        self.logo_assets, self.product_assets = [], []

        def add(parent, name, is_file, title, info):
            gid = self.gid()
            t = self.tick(2.1)
            parent_obj = assets.get(parent)
            pathname = "/" if parent_obj is None else (
                parent_obj["pathname"].rstrip("/") + "/" + name)
            assets[gid] = {
                "gid": gid, "pathname": pathname,
                "path": [gid] + (parent_obj["path"] if parent_obj else []),
                "name": name, "is_file": is_file,
                "type": name.rsplit(".", 1)[-1] if is_file else "folder",
                "childcount": 0, "status": "published", "info": info, "transforms": {},
                "title": title, "description": both("", ""), "metadata": {},
                "created_on": t, "updated_on": t, "version": 1}
            if parent_obj:
                parent_obj["childcount"] += 1
                parent_obj["info"]["filecount" if is_file else "foldercount"] += 1
            return gid

        def folder_info():
            return {"filecount": 0, "foldercount": 0}

        def image_info(fmt, w, h):
            return {"width": w, "height": h, "format": fmt,
                    "filesize": self.rng.randrange(20_000, 900_000)}

        root = add(None, "", False, both("Assets", "Assets"), folder_info())
        brands = add(root, "brands", False, both("Brand logos", "Merklogo's"), folder_info())
        products = add(root, "products", False, both("Product photos", "Productfoto's"), folder_info())
        lifestyle = add(root, "lifestyle", False, both("Lifestyle", "Sfeerbeelden"), folder_info())
        for brand, _ in BRANDS:
            self.logo_assets.append(add(brands, f"{slug(brand)}-logo.svg", True,
                                        both(f"{brand} logo", f"Logo {brand}"),
                                        image_info("svg", 512, 256)))
        for i in range(30):
            (en, nl), _ = CATEGORIES[i % len(CATEGORIES)]
            self.product_assets.append(add(products, f"{slug(en)}-{i + 1:02d}.jpg", True,
                                           both(f"{en} photo {i + 1}", f"{nl} foto {i + 1}"),
                                           image_info("jpeg", 2000, 1500)))
        for i, (en, nl) in enumerate([("Kitchen", "Keuken"), ("Bathroom", "Badkamer"),
                                      ("Garden", "Tuin"), ("Workshop", "Werkplaats"),
                                      ("Outdoors", "Buiten")]):
            add(lifestyle, f"{slug(en)}-scene.jpg", True, both(f"{en} scene", f"{nl}sfeer"),
                image_info("jpeg", 3000, 2000))

    def record(self, data, parent, definition, title_en, title_nl, fields, position, status="published",
               channels=None) -> str:
        records = data["records"]
        gid = self.gid()
        t = self.tick()
        parent_obj = records.get(parent)
        path = [gid] + (parent_obj["path"] if parent_obj else [])
        records[gid] = {
            "gid": gid, "parent": parent, "canonical": gid, "backlinks": [], "is_link": False,
            "treelevel": len(path), "path": path, "childcount": 0, "definition": definition,
            "title": both(title_en, title_nl), "status": status,
            "channels": channels or ["__all__", *self.channel_keys],
            "orderings": {self.ordering_keys[0]: position, self.ordering_keys[1]: position},
            "fields": fields, "created_on": t, "updated_on": round(t + self.rng.random() * 3, 4)}
        if parent_obj:
            parent_obj["childcount"] += 1
        return gid

    def records(self, data) -> None:
        root = self.record(data, None, self.root_def, "Product catalogue", "Productcatalogus",
                           {lang: {"name": t} for lang, t in zip(LANGS, ["Product catalogue",
                                                                          "Productcatalogus"])}, 1)
        extended = iter(self.extended_defs)
        for b, (brand, country) in enumerate(BRANDS):
            brand_fields = {lang: {"name": brand, "logo": self.logo_assets[b],
                                   "website": f"https://www.{slug(brand)}.example",
                                   "country": country,
                                   "description": {"en": f"{brand} makes durable products for home "
                                                         "and garden.",
                                                   "nl": f"{brand} maakt duurzame producten voor huis "
                                                         "en tuin."}[lang]}
                            for lang in LANGS}
            brand_gid = self.record(data, root, self.brand_def, brand, brand, brand_fields, b + 1)
            for li, ((line_en, line_nl), noun) in enumerate(self.rng.sample(CATEGORIES, 5)):
                line_fields = {lang: {"name": name, "image": self.rng.choice(self.product_assets),
                                      "intro": intro}
                               for lang, name, intro in [
                                   ("en", f"{brand} {line_en}", f"The {line_en.lower()} range by {brand}."),
                                   ("nl", f"{brand} {line_nl}", f"Het assortiment {line_nl.lower()} "
                                                               f"van {brand}.")]}
                line_gid = self.record(data, brand_gid, self.line_def, f"{brand} {line_en}",
                                       f"{brand} {line_nl}", line_fields, li + 1)
                for ai in range(16):
                    definition = self.article_def
                    if ai == 7 and b % 2 == 0 and li < 2:
                        definition = next(extended, self.article_def)
                    self.article(data, line_gid, definition, brand, b, li, ai, noun)
        self.alphabetical(data["records"])

    def alphabetical(self, records: dict) -> None:
        siblings: dict = {}
        for record in records.values():
            siblings.setdefault(record["parent"], []).append(record)
        for group in siblings.values():
            for rank, record in enumerate(sorted(group, key=lambda r: r["title"]["en"]), 1):
                record["orderings"][self.ordering_keys[1]] = rank

    def article(self, data, parent, definition, brand, b, li, ai, noun) -> None:
        series = SERIES[(ai + li * 3) % len(SERIES)]
        model = 100 + 10 * ai + self.rng.randrange(10)
        key, colour_en, colour_nl = self.rng.choice(COLOURS)
        shared = {"image": self.rng.choice(self.product_assets),
                  "sku": f"{slug(brand)[:3].upper()}-{li + 1}{ai + 1:03d}-{model}",
                  "ean": ean13(self.rng), "price": round(self.rng.uniform(9, 899), 2),
                  "stock": self.rng.randrange(0, 250), "colour/key": key,
                  "brand": brand, "brand/key": slug(brand)}
        names = {"en": f"{brand} {series} {noun[0]} {model}", "nl": f"{brand} {series} {noun[1]} {model}"}
        descriptions = {
            "en": f"{series} {noun[0]} in {colour_en.lower()}, built to last by {brand}.",
            "nl": f"{series} {noun[1]} in {colour_nl.lower()}, duurzaam gemaakt door {brand}."}
        fields = {}
        for lang, colour in (("en", colour_en), ("nl", colour_nl)):
            fields[lang] = {"name": names[lang], "description": descriptions[lang],
                            "colour": colour, **shared}
            if definition != self.article_def:
                fields[lang].update({"warranty_years": 2 + b % 4, "voltage": 230,
                                     "energy_label": ENERGY_LABELS[ai % 7],
                                     "energy_label/key": ENERGY_LABELS[ai % 7]})
        channels = ["__all__", self.channel_keys[0]] + (
            [self.channel_keys[1]] if self.rng.random() < 0.5 else [])
        status = "draft" if self.rng.random() < 0.1 else "published"
        return self.record(data, parent, definition, names["en"], names["nl"], fields, ai + 1, status, channels)

    # -- bigger projects (--project-size, --records, ...) ----------------------------------

    def scale(self, data) -> None:
        """Adds to the small catalogue until the target counts are reached: generic spec
        fields in classes of ten, base article definitions using them, folders of product
        photos, and product lines of 100 articles under the twelve brands."""
        size, f = self.size, self.f
        extra_fields = []
        for i in range(size["fields"] - len(data["fields"])):
            kind = i % 4
            type_, localized, unit = (("textline", False, None), ("number", False, "mm"),
                                      ("textarea", True, None), ("boolean", False, None))[kind]
            extra_fields.append((self.field(data, f"spec_{i + 1:04d}", f"Specification {i + 1}",
                                            f"Specificatie {i + 1}", type_, localized, unit=unit), type_))
        spec_classes = []
        for start in range(0, len(extra_fields), SPEC_CLASS_SIZE):
            group = extra_fields[start:start + SPEC_CLASS_SIZE]
            n = start // SPEC_CLASS_SIZE + 1
            gid = self.klass(data, f"spec_group_{n:03d}", f"Specifications {n}", f"Specificaties {n}",
                             [g for g, _ in group])
            spec_classes.append((gid, group))
        article = data["definitions"][self.article_def]
        base_classes = list(article["classes"])
        self.scaled_defs = []
        for i in range(size["definitions"] - len(data["definitions"])):
            spec = spec_classes[i % len(spec_classes)] if spec_classes else None
            classes = base_classes + ([spec[0]] if spec else [])
            gid = self.definition(data, f"article_type_{i + 1:03d}", f"Article type {i + 1}",
                                  f"Artikeltype {i + 1}", classes, [f["brand"]])
            self.scaled_defs.append((gid, spec[1] if spec else []))
        line = data["definitions"][self.line_def]
        line["childdefinitions"] += [gid for gid, _ in self.scaled_defs]
        self.scale_assets(data, size["assets"] - len(data["assets"]))
        self.scale_records(data, size["records"] - len(data["records"]))

    def scale_assets(self, data, count: int) -> None:
        if count <= 0:
            return
        assets = data["assets"]
        root = next(a for a in assets.values() if a["pathname"] == "/")

        def add(parent, name, is_file, title, info):
            gid = self.gid()
            t = self.tick(0.5)
            assets[gid] = {
                "gid": gid, "pathname": parent["pathname"].rstrip("/") + "/" + name,
                "path": [gid] + parent["path"], "name": name, "is_file": is_file,
                "type": "jpg" if is_file else "folder", "childcount": 0, "status": "published",
                "info": info, "transforms": {}, "title": title, "description": both("", ""),
                "metadata": {}, "created_on": t, "updated_on": t, "version": 1}
            parent["childcount"] += 1
            parent["info"]["filecount" if is_file else "foldercount"] += 1
            return assets[gid]

        top = add(root, "catalogue", False, both("Catalogue photos", "Catalogusfoto's"),
                  {"filecount": 0, "foldercount": 0})
        count -= 1
        folder, n = None, 0
        while count > 0:
            if folder is None or folder["childcount"] >= FILES_PER_EXTRA_FOLDER:
                k = top["childcount"] + 1
                folder = add(top, f"batch-{k:03d}", False, both(f"Batch {k}", f"Reeks {k}"),
                             {"filecount": 0, "foldercount": 0})
                count -= 1
                continue
            n += 1
            gid = add(folder, f"photo-{n:06d}.jpg", True, both(f"Photo {n}", f"Foto {n}"),
                      {"width": 2000, "height": 1500, "format": "jpeg",
                       "filesize": self.rng.randrange(20_000, 900_000)})["gid"]
            self.product_assets.append(gid)
            count -= 1

    def scale_records(self, data, count: int) -> None:
        records = data["records"]
        brands = [r for r in records.values() if r["definition"] == self.brand_def]
        made, b, defs = 0, 0, self.scaled_defs
        while made < count:
            brand = brands[b % len(brands)]
            b_index = BRANDS.index((brand["title"]["en"], brand["fields"]["en"]["country"]))
            brand_name = brand["title"]["en"]
            li = brand["childcount"]
            (line_en, line_nl), noun = CATEGORIES[(li + b) % len(CATEGORIES)]
            name_en, name_nl = f"{brand_name} {line_en} {li + 1}", f"{brand_name} {line_nl} {li + 1}"
            line_fields = {lang: {"name": name, "image": self.rng.choice(self.product_assets),
                                  "intro": f"{name}."} for lang, name in (("en", name_en), ("nl", name_nl))}
            line_gid = self.record(data, brand["gid"], self.line_def, name_en, name_nl, line_fields, li + 1)
            made += 1
            for ai in range(min(ARTICLES_PER_EXTRA_LINE, count - made)):
                gid = self.article(data, line_gid, self.article_def, brand_name, b_index, li, ai, noun)
                made += 1
                if defs:
                    definition, spec = defs[made % len(defs)]
                    rec = records[gid]
                    rec["definition"] = definition
                    values = {}
                    for field, type_ in spec:
                        name = data["fields"][field]["name"]
                        values[name] = (f"{name}-{ai}" if type_ == "textline" else ai * 10 if type_ == "number"
                                        else ai % 2 == 0 if type_ == "boolean" else None)
                    for lang in LANGS:
                        rec["fields"][lang].update(values)
                        for field, type_ in spec:
                            if type_ == "textarea":
                                rec["fields"][lang][data["fields"][field]["name"]] = f"{lang} text {ai}"
            b += 1

    def modules(self, data) -> None:
        t = self.tick()
        data["modules"]["erp-connector"] = {
            "name": "erp-connector", "version": "2.3.0",
            "keys": {"endpoint": "https://erp.brightline.example/api", "last_import": t},
            "actions": {"import_stock": {"name": "import_stock",
                                         "configuration": {"label": "Import stock levels", "schedule": "hourly"}}},
            "logs": [{"timestamp": t, "version": "2.3.0", "action": "import_stock",
                      "configuration": {"label": "Import stock levels", "schedule": "hourly"},
                      "command": "erp-connector import_stock", "started_at": round(t - 42.5, 4),
                      "ended_at": t, "duration": 42.5, "status": "done",
                      "output": "Imported 812 stock levels"}]}
        data["modules"]["webshop-export"] = {
            "name": "webshop-export", "version": "1.1.4",
            "keys": {"channel": self.channel_keys[0]},
            "actions": {"publish": {"name": "publish", "configuration": {"label": "Publish to webshop"}}},
            "logs": []}

    def queries(self, data) -> None:
        for type_, name, q, flt in [
                ("record", "Draft articles", "", ["and", "", [["status", "is", "draft"]]]),
                ("record", "Out of stock", "", ["and", "", [["stock", "=", 0]]]),
                ("record", "Caravell taps", "caravell tap", []),
                ("asset", "Product photos", "", ["and", "", [["pathname", "startswith", "/products/"]]]),
                ("schema", "Extended definitions", "", ["and", "", [["is_extended", "is", True]]])]:
            gid = self.gid()
            data["queries"][gid] = {"gid": gid, "type": type_, "name": name, "q": q, "filter": flt}


def build(seed: int, size: dict | None = None) -> dict:
    return Seeder(seed, size).build()
