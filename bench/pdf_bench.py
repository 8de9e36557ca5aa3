"""How long a case file takes to print, and whether the process grows with each print.

Run from the project root:

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/pdf_bench.py

It migrates a throwaway SQLite database of its own (deleted afterwards), opens a
realistic wage dispute through the services (a rider against a platform's chain,
about 20 timeline entries, 5 payments one of which is voided, Chinese text
throughout: a cover and three pages), then produces its case file and, side by
side in the same process, a trivial one-page Chinese document and the case file
of the same dispute for a worker whose name has a character outside GB 2312
(王𠇔: one more face to embed, see casework/pdf_fonts.py), and the case file's
own fields as bare paragraphs (the same text without tables, borders or inline
markup: what this much content costs WeasyPrint at least), 50 times each. It
prints the median and fastest time per document and their ratios to the trivial
document, the file sizes, the peak memory of the process after 50 and after 300
renders, how steady the machine was, and the font files the PDFs embed.
`--renders N` changes the 300. `--profile` instead profiles 10 renders of the case
file (cProfile, after the warm-up) and prints the top functions by cumulative and by
internal time. `--parts` instead times WeasyPrint alone on the case file's HTML and on
that HTML without one part at a time (the cover, the proceedings table, the bold and
span markup), the variants interleaved, 11 renders each: where the time goes by part.
"""

import argparse
import cProfile
import datetime
import html
import io
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRIVIAL = """{% extends "pdf/base.html" %}{% block content %}
<h1>工会驿站服务记录</h1><p>张伟师傅于今日到驿站咨询欠薪问题，已登记并告知调解流程。</p>
{% endblock %}"""


class Fields(HTMLParser):
    """The text of each cell, paragraph and heading of a document, in order."""

    BLOCKS = {"h1", "h2", "h3", "p", "th", "td"}

    def __init__(self):
        super().__init__()
        self.fields, self.text, self.depth = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.depth += tag in self.BLOCKS

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.depth -= 1
            if self.depth == 0:
                text, self.text = "".join(self.text).strip(), []
                if text:
                    self.fields.append(text)

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def bare_fields(case) -> tuple[str, int]:
    """A template of the case file's fields as bare paragraphs, and how many there are."""
    from django.template.loader import render_to_string

    from cases.documents import PRINTABLES

    printable = PRINTABLES["case-file"]
    context = printable.context(case)
    context.pop("pdf_dates")
    parser = Fields()
    parser.feed(render_to_string(printable.template, context))
    paragraphs = "".join(f"<p>{html.escape(text)}</p>" for text in parser.fields)
    template = (
        '{% extends "pdf/base.html" %}{% block content %}{% verbatim %}'
        f"{paragraphs}{{% endverbatim %}}{{% endblock %}}"
    )
    return template, len(parser.fields)


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(workdir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DOCUMENT_ROOT"] = str(workdir / "documents")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_office():
    """A district union under a city federation, and its caseworker."""
    from tests import factories

    city = factories.CityFederationFactory(name="随州市总工会")
    office = factories.OfficeFactory(name="曾都区总工会", parent=city)
    return office, factories.caseworker(office, username="bench.cw", full_name="张伟")


def realistic_dispute(office, by, rider_name):
    """A rider's unpaid-wage dispute walked from intake to closure through the services:
    about 20 timeline entries, 5 payments (one voided), Chinese text throughout."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases import services
    from cases.models import Contact, Counterparty, Document, Payment, WageDispute
    from tests import factories

    rider = factories.WorkerFactory(
        office=office, created_by=by, name=rider_name, employer="随州市曾都区某某配送服务站"
    )
    platform = factories.CounterpartyFactory(name="某某外卖平台（湖北）有限公司")
    station = factories.CounterpartyFactory(
        name="随州市曾都区某某配送服务站", type=Counterparty.Type.STATION
    )
    today = timezone.localdate()
    dispute = factories.wage_dispute(
        office,
        by=by,
        workers=[rider],
        claimed=Decimal("12800.00"),
        counterparty=platform,
        matters="拖欠2026年3月至5月配送费共计人民币12,800元，并以超时为由扣发奖励金。",
        reasons="申请人自2025年10月起在配送站从事外卖配送工作，站点按单结算配送费。"
        "自3月起站点以平台考核为由扣发配送费，经多次催要未果，遂向工会驿站申请调解。",
        unpaid_from=today - datetime.timedelta(days=90),
        unpaid_to=today - datetime.timedelta(days=20),
    )
    services.take_case(case=dispute, by=by)
    services.run_transition(case=dispute, name="accept", by=by, note="属于受理范围")
    services.run_transition(case=dispute, name="investigate", by=by)
    services.add_counterparty(case=dispute, by=by, counterparty=station, role="station")
    for n, (channel, whom, said) in enumerate(
        [
            (Contact.Channel.CALL, "站长李某", "站点承认扣发，称系平台考核所致，同意参加调解。"),
            (Contact.Channel.VISIT, "平台区域经理", "平台表示将督促站点核对配送记录。"),
        ]
    ):
        services.record_contact(
            case=dispute,
            by=by,
            channel=channel,
            with_whom=whom,
            summary=said,
            occurred_at=timezone.now() - datetime.timedelta(days=30 - n),
        )
    services.add_note(case=dispute, by=by, body="已调取申请人配送记录截图及收入流水。")
    services.run_transition(case=dispute, name="start_mediation", by=by)
    services.record_session(
        case=dispute,
        by=by,
        held_on=today - datetime.timedelta(days=20),
        place="曾都区总工会调解室",
        attendees=f"申请人{rider_name}、站长李某、平台代表、调解员张伟",
        result="双方就支付金额及分期方式达成一致。",
    )
    links = {cw.pk: (Decimal("12800.00"), Decimal("12800.00")) for cw in dispute.case_workers.all()}
    services.set_amounts(case=dispute, by=by, amounts=links)
    services.update_dispute(
        case=dispute,
        by=by,
        agreement_result="被申请人随州市曾都区某某配送服务站于协议签订后分四期支付申请人"
        "拖欠的配送费共计人民币12,800元，平台承担督促履行责任。",
        performance_deadline=today + datetime.timedelta(days=10),
        performance_method="分四期银行转账至申请人本人账户",
    )
    services.run_transition(
        case=dispute, name="record_agreement", by=by, signed_on=today - datetime.timedelta(20)
    )
    payments = [
        ("3000.00", 15, Payment.Method.BANK, "网银流水20260001"),
        ("3000.00", 12, Payment.Method.BANK, "网银流水20260002"),
        ("3000.00", 9, Payment.Method.WECHAT, "微信转账（重复录入）"),
        ("3000.00", 9, Payment.Method.BANK, "网银流水20260003"),
        ("3800.00", 2, Payment.Method.BANK, "网银流水20260004"),
    ]
    for amount, days_ago, method, reference in payments:
        payment = services.record_payment(
            case=dispute,
            by=by,
            worker=rider,
            amount=Decimal(amount),
            paid_on=today - datetime.timedelta(days=days_ago),
            method=method,
            reference=reference,
        )
        if "重复" in reference:
            services.void_payment(payment=payment, by=by, reason="与银行流水重复录入，作废。")
    services.add_document(
        case=dispute,
        by=by,
        upload=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n%%EOF\n"),
        content_type="application/pdf",
        doc_type=Document.Type.RECEIPT,
        title="银行转账回单（四期）",
    )
    services.run_transition(case=dispute, name="mark_performed", by=by)
    services.run_transition(
        case=dispute, name="close", by=by, outcome_note="协议已全部履行，申请人确认收到全部款项。"
    )
    return WageDispute.objects.get(pk=dispute.pk)


def font_files(pdf_path: Path) -> list[str]:
    """Each embedded font with the file it was cut from."""
    from casework import pdf_fonts

    out = subprocess.run(["pdffonts", str(pdf_path)], capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        name = line.split()[0]
        family = name.split("+", 1)[-1].replace("-", " ")
        style = "Bold" if family.endswith(" Bold") else "Regular"
        family = family.removesuffix(" Bold")
        if family.endswith("GB2312"):  # cut by casework/pdf_fonts.py
            path = str(pdf_fonts.cut_faces()["bold" if style == "Bold" else "normal"])
        else:
            path = subprocess.run(
                ["fc-match", "-f", "%{file}", f"{family}:style={style}"],
                capture_output=True,
                text=True,
            ).stdout
        size = Path(path).stat().st_size / 1e6 if path else 0
        rows.append(f"{name} (embedded: {line.split()[-5]}) <- {path} ({size:.1f} MB)")
    return rows


def spin() -> None:
    """A fixed amount of pure-Python work: how fast the machine is at the moment."""
    sum(i * i for i in range(300_000))


def measure(produce) -> tuple[float, float, bytes]:
    """(wall ms, CPU ms of this process, the PDF) for one document."""
    wall, cpu = time.perf_counter(), time.process_time()
    pdf = produce()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, pdf


def profile(produce, renders: int = 10) -> None:
    """Profile `renders` calls of `produce` and print the top functions two ways."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(renders):
        produce()
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"{renders} renders of the case file (times are totals, divide by {renders})")
    for order in ("cumulative", "tottime"):
        stats.sort_stats(order).print_stats(40)


def parts(case, runs: int = 11) -> None:
    """WeasyPrint alone on the case file's HTML, whole and without one part at a time."""
    import re

    from django.template.loader import render_to_string
    from weasyprint import HTML

    from cases.documents import PRINTABLES
    from casework import pdf

    printable = PRINTABLES["case-file"]
    context = printable.context(case.specific())
    context.pop("pdf_dates")
    whole = render_to_string(printable.template, context)

    def without(start: str, end: str) -> str:
        begin = whole.index(start)
        return whole[:begin] + whole[whole.index(end, begin) :]

    variants = {
        "the case file": whole,
        "without the cover": without('<section class="cover">', "</section>"),
        "without the proceedings table": without('<table class="events">', "</table>"),
        "without <strong> and <span>": re.sub(r"</?(strong|span)[^>]*>", "", whole),
    }
    font_config, fetcher, stylesheets = pdf._setup()

    def render(text: str) -> None:
        document = HTML(string=text, base_url=str(pdf.PDF_TEMPLATES) + "/", url_fetcher=fetcher)
        document.write_pdf(stylesheets=stylesheets, font_config=font_config)

    for text in variants.values():
        render(text)  # warm up
    samples = {name: [] for name in variants}
    for _ in range(runs):  # interleaved, so all see the same machine
        for name, text in variants.items():
            began = time.perf_counter()
            render(text)
            samples[name].append((time.perf_counter() - began) * 1000)
    print(f"WeasyPrint alone on the case file's HTML, {runs} renders of each, interleaved")
    for name, values in samples.items():
        print(f"  {name:32s} median {statistics.median(values):6.1f} ms, min {min(values):6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="renders of each document timed")
    parser.add_argument("--renders", type=int, default=300, help="renders before the last memory")
    parser.add_argument(
        "--profile", action="store_true", help="profile the case file instead of timing"
    )
    parser.add_argument(
        "--parts", action="store_true", help="time the case file without one part at a time"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "templates").mkdir()
        (workdir / "templates" / "pdf_bench_trivial.html").write_text(TRIVIAL, encoding="utf-8")
        setup_django(workdir)
        from django.conf import settings
        from django.test.utils import override_settings
        from django.utils import translation
        from pypdf import PdfReader

        from cases.documents import render_document
        from cases.timeline import timeline
        from casework.pdf import render_pdf

        engine = settings.TEMPLATES[0]
        templates = [{**engine, "DIRS": [*engine["DIRS"], workdir / "templates"]}]
        with override_settings(TEMPLATES=templates), translation.override("zh-hans"):
            office, caseworker = bench_office()
            dispute = realistic_dispute(office, caseworker, "王建军")
            rare = realistic_dispute(office, caseworker, "王𠇔")
            fields, field_count = bare_fields(dispute)
            (workdir / "templates" / "pdf_bench_fields.html").write_text(fields, encoding="utf-8")
            produce = {
                "case file": lambda: render_document(dispute, "case-file"),
                "trivial": lambda: render_pdf("pdf_bench_trivial.html", {"case": dispute}),
                "rare name": lambda: render_document(rare, "case-file"),
                "fields": lambda: render_pdf("pdf_bench_fields.html", {"case": dispute}),
            }
            load_before = os.getloadavg()[0]
            for make in produce.values():
                make()  # warm up: fontconfig, the stylesheet, the imports
            if args.profile:
                profile(produce["case file"])
                return
            if args.parts:
                parts(dispute)
                return
            renders = len(produce)
            wall = {name: [] for name in [*produce, "spin"]}
            cpu = {name: [] for name in [*produce, "spin"]}
            pdfs, memory = {}, {}
            for _ in range(args.runs):  # side by side, so all see the same machine
                for name, make in produce.items():
                    ms, cpu_ms, pdfs[name] = measure(make)
                    wall[name].append(ms)
                    cpu[name].append(cpu_ms)
                    renders += 1
                    if renders == 50:
                        memory[50] = peak_mb()
                ms, cpu_ms, _ = measure(spin)
                wall["spin"].append(ms)
                cpu["spin"].append(cpu_ms)
            while renders < args.renders:
                produce["case file"]()
                renders += 1
            memory[renders] = peak_mb()
            load_after = os.getloadavg()[0]

            median = {name: statistics.median(values) for name, values in wall.items()}
            median_cpu = {name: statistics.median(values) for name, values in cpu.items()}
            fastest = {name: min(values) for name, values in wall.items()}
            print(
                f"case {dispute.number}: {len(timeline(dispute))} timeline entries, "
                f"{dispute.payments.count()} payments (1 voided); "
                f"{args.runs} renders of each document"
            )
            for name, pdf in pdfs.items():
                pages = len(PdfReader(io.BytesIO(pdf)).pages)
                print(
                    f"  {name:9s} median {median[name]:6.1f} ms wall,"
                    f" {median_cpu[name]:6.1f} ms CPU"
                    f"  (wall min {fastest[name]:.1f}, max {max(wall[name]):.1f});"
                    f" {pages} page(s), {len(pdf):,} bytes"
                )
            for name in ("case file", "rare name", "fields"):
                print(
                    f"  ratio {name} / trivial: {median[name] / median['trivial']:.2f}"
                    f" (medians), {fastest[name] / fastest['trivial']:.2f} (minimums)"
                )
            print(
                f"  (fields: the case file's {field_count} cells, paragraphs and headings"
                " as bare paragraphs, without tables, borders or inline markup)"
            )
            for count, mb in memory.items():
                print(f"  peak memory (ru_maxrss) after {count:3d} renders: {mb:.0f} MB")
            print(
                f"  load average (1 min) before and after: {load_before:.2f}, {load_after:.2f}"
                f" on {os.cpu_count()} CPUs"
            )
            print(
                f"  machine check, the same pure-Python loop between renders:"
                f" median {median['spin']:.1f} ms, min {fastest['spin']:.1f},"
                f" max {max(wall['spin']):.1f}"
                + (
                    " (a wide spread: other work on the host slowed us)"
                    if max(wall["spin"]) > 1.25 * fastest["spin"]
                    else ""
                )
            )
            for name in ("case file", "rare name"):
                sample = workdir / f"{name}.pdf"
                sample.write_bytes(pdfs[name])
                print(f"  fonts embedded in the {name}:")
                for row in font_files(sample):
                    print("    " + row)


if __name__ == "__main__":
    main()
