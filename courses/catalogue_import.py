"""Writing a validated catalogue into the page tree.

Idempotent: block and question ids are derived from the source (uuid5), so an
unchanged source produces identical page content and no new revision; a
changed source file publishes a new revision of its page. Runs in one
transaction: on any error nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO

import markdown
import nh3
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.blocks import StreamValue
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site
from willow.image import Image as WillowImage

from .catalogue_source import GLOSSARY_LINK, Catalogue, SourceFile
from .models import (
    CourseIndexPage,
    CoursePage,
    GlossaryPage,
    GlossaryTerm,
    HomePage,
    LessonPage,
    Theme,
)

ID_NAMESPACE = uuid.UUID("6f1d2c55-9a43-4c1e-9a5e-4b1f3c2a8d10")
COLLECTION_NAME = "Nationella katalogen"
ALLOWED_TAGS = {"p", "h2", "h3", "ul", "ol", "li", "b", "strong", "i", "em", "a", "br"}


def stable_id(*parts: object) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(str(p) for p in parts)))


def markdown_to_html(text: str) -> str:
    """Markdown subset → sanitised rich-text HTML; `begrepp:` links become in-page anchors."""
    text = GLOSSARY_LINK.sub(lambda m: f"](#begrepp-{m.group(1)})", text)
    html = markdown.markdown(text, extensions=["sane_lists"])
    html = html.replace("<strong>", "<b>").replace("</strong>", "</b>")
    html = html.replace("<em>", "<i>").replace("</em>", "</i>")
    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, url_schemes=set(), link_rel=None
    ).strip()


def glossary_slugs(text: str) -> list[str]:
    return [m.group(1) for m in GLOSSARY_LINK.finditer(text or "")]


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    def count(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))


class CatalogueImporter:
    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.report = ImportReport()
        self.locale = Locale.get_default()
        self.images: dict[str, int] = {}
        self.terms: dict[str, GlossaryTerm] = {}
        self.themes: dict[str, Theme] = {}

    @transaction.atomic
    def run(self) -> ImportReport:
        home = self.ensure_home()
        self.ensure_site(home)
        self.import_themes()
        self.import_glossary()
        self.import_images()
        site = self.catalogue.site.data
        index = self.ensure_child(home, CourseIndexPage, site["courses"])
        self.ensure_child(home, GlossaryPage, site["glossary"])
        for course_source, lessons in self.catalogue.courses:
            course = self.import_course(index, course_source)
            for lesson_source in lessons:
                self.import_lesson(course, lesson_source)
        return self.report

    # --- tree and site ---

    def ensure_home(self) -> HomePage:
        spec = self.catalogue.site.data["home"]
        home = HomePage.objects.filter(depth=2, locale=self.locale, slug=spec["slug"]).first()
        if home is None:
            root = Page.get_first_root_node()
            home = root.add_child(
                instance=HomePage(
                    title=spec["title"],
                    slug=spec["slug"],
                    locale=self.locale,
                    intro=markdown_to_html(spec.get("intro", "")),
                )
            )
            home.save_revision().publish()
            self.report.count("page", "created")
        else:
            self.update_page(
                home, {"title": spec["title"], "intro": markdown_to_html(spec.get("intro", ""))}
            )
        return home

    def ensure_site(self, home: HomePage) -> None:
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name="Klartänkt",
            )
            return
        if site.root_page_id != home.id:
            old_root = site.root_page
            site.root_page = home
            site.site_name = site.site_name or "Klartänkt"
            site.save()
            # Wagtail's "Welcome" placeholder page is not ours to keep.
            if type(old_root.specific) is Page and not old_root.get_children().exists():
                old_root.delete()

    def ensure_child(self, parent: Page, model: type[Page], spec: dict) -> Page:
        page = model.objects.child_of(parent).filter(slug=spec["slug"]).first()
        fields = {"title": spec["title"], "intro": markdown_to_html(spec.get("intro", ""))}
        if page is None:
            page = parent.add_child(
                instance=model(slug=spec["slug"], show_in_menus=True, **fields)
            )
            page.save_revision().publish()
            self.report.count("page", "created")
            return page
        self.update_page(page, fields)
        return page

    def update_page(self, page: Page, fields: dict) -> None:
        """Set fields; publish a new revision only when something differs."""
        changed = False
        for name, value in fields.items():
            current = getattr(page, name)
            if isinstance(current, StreamValue):
                current = json.loads(json.dumps(current.get_prep_value()))
            if current != value:
                setattr(page, name, value)
                changed = True
        if changed or page.has_unpublished_changes:
            page.save_revision().publish()
            self.report.count("page", "updated")
        else:
            self.report.count("page", "unchanged")

    # --- snippets and images ---

    def import_themes(self) -> None:
        for item in self.catalogue.themes.data:
            self.themes[item["slug"]] = self._upsert(
                Theme,
                "theme",
                {"slug": item["slug"], "locale": self.locale},
                {"name": item["name"], "description": item.get("description", "")},
            )

    def import_glossary(self) -> None:
        for slug, item in self.catalogue.glossary.items():
            self.terms[slug] = self._upsert(
                GlossaryTerm,
                "glossary term",
                {"slug": slug, "locale": self.locale},
                {"term": item["term"], "definition": item["definition"]},
            )

    def _upsert(self, model, kind: str, lookup: dict, values: dict):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            self.report.count(kind, "created")
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            obj.save()
            self.report.count(kind, "updated")
        else:
            self.report.count(kind, "unchanged")
        return obj

    def import_images(self) -> None:
        Image = get_image_model()
        collection = self._collection()
        for filename, meta in self.catalogue.images.items():
            content = (self.catalogue.root / "images" / filename).read_bytes()
            digest = hashlib.sha1(content, usedforsecurity=False).hexdigest()
            image = Image.objects.filter(collection=collection, file_hash=digest).first()
            if image is None:
                width, height = WillowImage.open(BytesIO(content)).get_size()
                image = Image(title=meta["title"], collection=collection)
                image.file.save(filename, ContentFile(content), save=False)
                # Pillow cannot measure SVG; Willow (Wagtail's image library) can.
                image.width, image.height = width, height
                image._set_image_file_metadata()
                image.save()
                self.report.count("image", "created")
            else:
                self.report.count("image", "unchanged")
            self.images[filename] = image.pk

    def _collection(self) -> Collection:
        root = Collection.get_first_root_node()
        existing = root.get_children().filter(name=COLLECTION_NAME).first()
        return existing or root.add_child(name=COLLECTION_NAME)

    # --- courses and lessons ---

    def import_course(self, index: CourseIndexPage, source: SourceFile) -> CoursePage:
        data = source.data
        fields = {
            "title": data["title"],
            "theme_id": self.themes[data["theme"]].pk,
            "intro": markdown_to_html(data["intro"]),
            "audience": data["audience"],
            "level": data["level"],
            "estimated_minutes": data["minutes"],
            "learning_goals": [
                {"type": "goal", "value": goal, "id": stable_id(data["slug"], "goal", n)}
                for n, goal in enumerate(data["goals"])
            ],
            "summary": markdown_to_html(data["summary"]),
            "checklist": [
                {"type": "item", "value": item, "id": stable_id(data["slug"], "check", n)}
                for n, item in enumerate(data["checklist"])
            ],
            "cover_image_id": self.images[data["cover"]["file"]] if "cover" in data else None,
            "cover_alt": data["cover"]["alt"] if "cover" in data else "",
        }
        return self._create_or_update(index, CoursePage, data["slug"], fields)

    def import_lesson(self, course: CoursePage, source: SourceFile) -> LessonPage:
        data = source.data
        fields = {
            "title": data["title"],
            "estimated_minutes": data["minutes"],
            "intro": markdown_to_html(data["intro"]),
            "body": LessonBodyBuilder(self, data).build(),
        }
        return self._create_or_update(course, LessonPage, data["slug"], fields)

    def _create_or_update(self, parent: Page, model: type[Page], slug: str, fields: dict):
        page = model.objects.child_of(parent).filter(slug=slug).first()
        if page is None:
            page = parent.add_child(instance=model(slug=slug, **fields))
            page.save_revision().publish()
            self.report.count("page", "created")
            return page
        self.update_page(page, fields)
        return page


class LessonBodyBuilder:
    """Turns a lesson source's body into StreamField JSON with stable ids."""

    def __init__(self, importer: CatalogueImporter, data: dict):
        self.importer = importer
        self.data = data
        self.slug = data["slug"]

    def id(self, *parts: object) -> str:
        return stable_id(self.slug, *parts)

    def build(self) -> list[dict]:
        blocks = [self.block(index, item) for index, item in enumerate(self.data["body"])]
        glossary = self.glossary_block()
        if glossary:
            quiz_at = next((i for i, b in enumerate(blocks) if b["type"] == "quiz"), len(blocks))
            blocks.insert(quiz_at, glossary)
        blocks.append(
            {
                "type": "sources",
                "id": self.id("sources"),
                "value": {
                    "heading": "Källor och läs mer",
                    "items": [
                        {
                            "type": "item",
                            "id": self.id("source", n),
                            "value": {
                                "organisation": s["organisation"],
                                "title": s["title"],
                                "url": "",
                            },
                        }
                        for n, s in enumerate(self.data["sources"])
                    ],
                },
            }
        )
        return blocks

    def block(self, index: int, item: dict) -> dict:
        kind = item["type"]
        value = getattr(self, f"build_{kind}")(index, item)
        block_type = {"fact": "fact_box", "checklist": "source_check"}.get(kind, kind)
        key = f"quiz-{index}" if kind == "quiz" else f"block-{index}"
        return {"type": block_type, "id": self.id(key), "value": value}

    def build_text(self, index: int, item: dict):
        return markdown_to_html(item["text"])

    def build_fact(self, index: int, item: dict) -> dict:
        return {"title": item["title"], "text": markdown_to_html(item["text"])}

    def build_image(self, index: int, item: dict) -> dict:
        return {
            "image": self.importer.images[item["file"]],
            "alt_text": item.get("alt", ""),
            "decorative": bool(item.get("decorative")),
            "caption": item.get("caption", ""),
        }

    def build_reflection(self, index: int, item: dict) -> dict:
        return {
            "prompt": item["prompt"],
            "scenario": markdown_to_html(item.get("scenario", "")),
            "hints": [
                {"type": "item", "id": self.id(index, "hint", n), "value": hint}
                for n, hint in enumerate(item.get("hints", []))
            ],
        }

    def build_checklist(self, index: int, item: dict) -> dict:
        return {
            "title": item["title"],
            "intro": item.get("intro", ""),
            "items": [
                {
                    "type": "item",
                    "id": self.id(index, "check", n),
                    "value": {"label": c["label"], "help": c.get("help", "")},
                }
                for n, c in enumerate(item["items"])
            ],
        }

    def build_comparison(self, index: int, item: dict) -> dict:
        images = self.importer.images
        return {
            "question": item["question"],
            "image_a": images[item["image_a"]["file"]],
            "alt_a": item["image_a"]["alt"],
            "image_b": images[item["image_b"]["file"]],
            "alt_b": item["image_b"]["alt"],
            "synthetic": item["synthetic"],
            "explanation": markdown_to_html(item["explanation"]),
        }

    def build_quiz(self, index: int, item: dict) -> dict:
        return {
            "title": item.get("title", "Testa dig själv"),
            "intro": item.get("intro", ""),
            "questions": [self.question(q) for q in item["questions"]],
        }

    def question(self, q: dict) -> dict:
        qid = self.id("question", q["id"])
        if q["type"] == "truefalse":
            return {
                "type": "true_false",
                "id": qid,
                "value": {
                    "statement": q["text"],
                    "answer": q["answer"],
                    "feedback_true": q["feedback_true"],
                    "feedback_false": q["feedback_false"],
                    "explanation": q["explanation"],
                },
            }
        return {
            "type": "single_choice" if q["type"] == "single" else "multiple_choice",
            "id": qid,
            "value": {
                "question": q["text"],
                "choices": [
                    {
                        "type": "item",
                        "id": self.id("question", q["id"], "choice", n),
                        "value": {
                            "text": c["text"],
                            "correct": c["correct"],
                            "feedback": c["feedback"],
                        },
                    }
                    for n, c in enumerate(q["choices"])
                ],
                "explanation": q["explanation"],
            },
        }

    def glossary_block(self) -> dict | None:
        texts = [self.data.get("intro", "")]
        for item in self.data["body"]:
            texts += [item.get(k, "") for k in ("text", "scenario", "explanation")]
        slugs = list(dict.fromkeys(s for text in texts for s in glossary_slugs(text)))
        if not slugs:
            return None
        return {
            "type": "glossary_terms",
            "id": self.id("glossary"),
            "value": {
                "heading": "Begrepp i lektionen",
                "terms": [self.importer.terms[slug].pk for slug in slugs],
            },
        }


def import_catalogue(catalogue: Catalogue) -> ImportReport:
    return CatalogueImporter(catalogue).run()
