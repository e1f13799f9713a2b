"""A synthetic national-scale corpus for the search benchmark.

Thousands of assessments are made from the sample content's assessments (the
form structure: every section, repeated group, 別添 and change log) with their
long texts rewritten from sentences of the seed documents (shared/seeds/*.txt)
and of the sample content, so that the n-gram statistics are those of real
評価書 while the texts differ between assessments.  Each synthetic municipality
gets its own name, each assessment its own 事務 name, 公表日 and contractor names,
which give the corpus rare strings as well as very common ones.

Deterministic for a given seed.  Works on the model (``pia_site.model``), so the
units are extracted through the same views as for a real site.
"""
from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from pia_site.model import Assessment, Block, CheckItem, DateValue, FileEntry, Instance, Municipality, RecordGroup, RecordItems, Site

PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 新潟県 富山県 "
    "石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 "
    "岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
NAME_KANJI = "山川田中大小北南東西上下本松竹梅桜森林原野沢浜岡島宮高長久富吉福平安明和美日月朝夕青白赤黒若新古坂橋石岩井村里津佐加賀豊"
SUFFIXES = ("市", "市", "町", "町", "村", "区")
TOPICS = (
    "住民基本台帳", "個人住民税", "固定資産税", "軽自動車税(種別割)賦課", "国民健康保険(賦課・徴収)", "国民健康保険(給付)",
    "後期高齢者医療", "介護保険(資格・賦課)", "介護保険(給付)", "国民年金", "児童手当", "児童扶養手当", "子ども・子育て支援",
    "生活保護", "障害者福祉", "特別児童扶養手当", "母子保健", "予防接種", "健康増進", "就学援助", "公営住宅管理",
    "戸籍附票", "印鑑登録", "災害対策", "収納管理", "滞納整理", "ひとり親家庭等医療費助成", "重度心身障害者医療費助成",
    "精神保健福祉", "難病患者支援", "教育委員会 学齢簿", "水道料金", "選挙人名簿", "被災者生活再建支援",
)
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワガギグゲゴザジズゼゾダデドバビブベボパピプペポ"
TAG = re.compile(r"<[^>]*>")
BASE_NAMES = ("越谷市", "さいたま市")


def sentence_pool(texts: list[str], seeds_dir: Path | None) -> list[str]:
    raw = list(texts)
    if seeds_dir is not None and seeds_dir.is_dir():
        for p in sorted(seeds_dir.glob("*.txt")):
            raw.append(p.read_text("utf-8", errors="replace"))
    out: list[str] = []
    for t in raw:
        t = TAG.sub(" ", t)
        for piece in re.split(r"(?<=。)|\n|\t", t):
            piece = re.sub(r"\s+", " ", piece).strip()
            if 8 <= len(piece) <= 240:
                out.append(piece)
    return sorted(set(out))


def check_digit(five: str) -> str:
    s = sum(int(c) * w for c, w in zip(five, (6, 5, 4, 3, 2)))
    r = s % 11
    return str((11 - r) % 10) if r else "1"


def _strings(v: Any, out: list[str]) -> None:
    if isinstance(v, str):
        out.append(v)
    elif isinstance(v, Mapping):
        for x in v.values():
            _strings(x, out)
    elif isinstance(v, (tuple, list)):
        for x in v:
            _strings(x, out)
    elif isinstance(v, (Instance, Block)):
        _strings(v.values, out)
    elif isinstance(v, FileEntry):
        _strings(v.parts, out)


class Rewriter:
    def __init__(self, rnd: random.Random, pool: list[str], muni: str, vendors: list[str]):
        self.rnd, self.pool, self.muni, self.vendors = rnd, pool, muni, vendors

    def text(self, s: str) -> str:
        for name in BASE_NAMES:
            s = s.replace(name, self.muni)
        if len(s) < 20 or "\n- " in s or s.lstrip().startswith(("|", "<table")):
            return s
        if self.rnd.random() < 0.35:
            return s
        target = max(20, int(len(s) * self.rnd.uniform(0.7, 1.3)))
        parts: list[str] = []
        n = 0
        while n < target:
            p = self.rnd.choice(self.pool)
            if self.rnd.random() < 0.03:
                p = f"委託先は{self.rnd.choice(self.vendors)}である。"
            parts.append(p)
            n += len(p)
        return "".join(parts).replace("<", "＜").replace(">", "＞")

    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, Mapping):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, tuple):
            return tuple(self.value(x) for x in v)
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, Instance):
            return replace(v, values=self.value(v.values))
        if isinstance(v, Block):
            return replace(v, values=self.value(v.values))
        if isinstance(v, CheckItem):
            return replace(v, detail=self.text(v.detail) if v.detail else v.detail)
        if isinstance(v, RecordItems):
            groups = tuple(RecordGroup(g.name, tuple(self.rnd.sample(g.items, k=max(1, int(len(g.items) * self.rnd.uniform(0.6, 1.0))))), g.start)
                           for g in v.groups)
            return RecordItems(groups, self.text(v.note) if v.note else v.note)
        return v


def synthetic_site(base: Site, n_assessments: int, seed: int = 20261122, seeds_dir: Path | None = None,
                   per_municipality: int = 6) -> Site:
    rnd = random.Random(seed)
    texts: list[str] = []
    for a in base.assessments:
        _strings(a.parts, texts)
        _strings(a.files, texts)
    pool = sentence_pool([t for t in texts if len(t) >= 20], seeds_dir)
    bases = sorted(base.assessments, key=lambda a: (a.municipality, a.slug))
    n_munis = max(1, n_assessments // per_municipality)
    munis: list[Municipality] = []
    names: set[str] = set()
    codes: set[str] = set()
    for i in range(n_munis):
        while True:
            name = "".join(rnd.sample(NAME_KANJI, rnd.choice((2, 2, 3)))) + rnd.choice(SUFFIXES)
            if name not in names:
                break
        names.add(name)
        pref_no = rnd.randrange(47)
        while True:
            five = f"{pref_no + 1:02d}{rnd.randrange(201, 999):03d}"
            if five not in codes:
                break
        codes.add(five)
        munis.append(Municipality(f"m{i:04d}", name, PREFECTURES[pref_no], five + check_digit(five), (f"{name}長",), ""))
    out: list[Assessment] = []
    for i in range(n_assessments):
        m = munis[i % n_munis]
        b = bases[rnd.randrange(len(bases))]
        vendors = ["株式会社" + "".join(rnd.choice(KATAKANA) for _ in range(rnd.randint(3, 6))) for _ in range(3)]
        rw = Rewriter(rnd, pool, m.name, vendors)
        topic = rnd.choice(TOPICS)
        jimu = f"{topic}に関する事務"
        parts = dict(rw.value(dict(b.parts)))
        cover = dict(parts.get("cover", {}))
        cover.update(number=str(i // n_munis + 1), title=f"{jimu} {b.form.name}", assessor=f"{m.name}長",
                     published=DateValue(f"{rnd.randint(2015, 2026)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"))
        parts["cover"] = cover
        basic = dict(parts.get("basic_info", {}))
        basic["jimu"] = dict(basic.get("jimu", {}), name=jimu)
        parts["basic_info"] = basic
        files = tuple(replace(f, parts=rw.value(dict(f.parts))) for f in b.files)
        changes = tuple(replace(c, before=rw.text(c.before) if c.before else c.before,
                                after=rw.text(c.after) if c.after else c.after) for c in b.changes)
        unplaced = tuple(replace(u, text=rw.text(u.text)) for u in b.unplaced)
        out.append(replace(b, slug=f"a{i:05d}", municipality=m.slug, source=f"synthetic/{m.slug}/a{i:05d}.yaml",
                           parts=parts, files=files, changes=changes, unplaced=unplaced))
    return Site(base.config, tuple(munis), tuple(out))
