"""Fill a PostgreSQL database with N cases by bulk SQL, for every benchmark.

Run from the project root (PostgreSQL on 127.0.0.1:5432, user postgres, trust):

    .venv/bin/python bench/fill.py --cases 1000000 --db cw_bench

It creates the database (dropping one of that name first), migrates it, makes the
offices and staff through the ORM (a city federation and four offices under it;
40 caseworkers, 4 supervisors, an auditor, an admin) and then, by INSERT … SELECT
generate_series (the export benchmark's statements, bench/export_bench.py, with
open cases added):

- N workers with Chinese names (about 48,000 distinct), mobiles, occupations;
- 10,000 counterparties (platforms, stations, dispatch firms) with credit codes;
- N cases opened over ten years: 60% wage disputes, 25% hardship aid, 15% medical
  cards; the newest 10% open, spread over every open state of their kind (a due
  date, an assignee — none for a tenth of those in intake); the rest finished
  (closed, declined, withdrawn, rejected); offices skewed 50/30/10/10;
- each wage dispute's counterparty, a payment for each closed one, an approval for
  each closed aid application, a card for each medical card;
- an audit entry for each case opened and for each case finished (outside the
  hash chain: seq NULL, like entries written before the chain existed).

`--keep-existing` reuses a database that is already filled. Other benchmarks
call `fill.ensure(db, cases)`.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import export_bench  # noqa: E402

WORKERS = """
    INSERT INTO cases_worker (id, name, phone, id_encrypted, id_hash, id_masked, occupation,
        employer, residence, is_member, membership_number, consent_scope, created_at,
        created_by_id, district_id, office_id)
    SELECT i,
        (ARRAY['王','李','张','刘','陈','杨','黄','赵','吴','周','徐','孙','马','朱','胡',
               '郭','何','高','林','罗','郑','梁','谢','宋','唐','许','韩','冯','邓','曹'])
            [1 + i %% 30]
        || (ARRAY['建','国','志','明','伟','俊','海','文','小','春','红','德','永','立','光',
                  '军','金','玉','秀','家','子','晓','新','天','思','雪','宏','世','长','东',
                  '学','中','云','和','荣','庆','福','成','兴','安'])[1 + (i / 30) %% 40]
        || (ARRAY['军','平','华','强','杰','峰','林','波','辉','芳','英','娟','敏','静','丽',
                  '勇','涛','刚','斌','磊','龙','飞','鹏','超','宇','浩','亮','琴','燕','霞',
                  '明','生','才','山','文','武','忠','贵','权','彬'])[1 + (i / 1200) %% 40],
        '1' || (ARRAY['39','38','37','58','86','35','52','77'])[1 + i %% 8]
            || lpad(((i::bigint * 7919) %% 100000000)::text, 8, '0'),
        '', '', '421303********' || lpad((i %% 10000)::text, 4, '0'),
        (ARRAY['rider','courier','truck_driver','ride_hailing','domestic','care','other'])
            [1 + i %% 7],
        '', 'urban', i %% 3 = 0, '', '', now(), %(creator)s,
        (%(districts)s::bigint[])[1 + i %% 4], (%(offices)s::bigint[])[1 + i %% 4]
    FROM generate_series(1, %(n)s) AS i
"""

COUNTERPARTIES = """
    INSERT INTO cases_counterparty (id, name, type, credit_code, contact_person, phone, address)
    SELECT i,
        (ARRAY['美团','饿了么','顺丰','京东','货拉拉','滴滴','达达','家政'])[1 + i %% 8]
            || '随州' || (ARRAY['曾都','随县','广水','高新','城南','城北'])[1 + i %% 6]
            || i || (ARRAY['站','配送站','服务公司','劳务派遣公司'])[1 + i %% 4],
        (ARRAY['platform','station','dispatch','employer'])[1 + i %% 4],
        '91421300' || upper(substr(md5(i::text), 1, 10)), '', '', ''
    FROM generate_series(1, 10000) AS i
"""

# Opened over ten years up to 2026-12-01; the newest 10% still open.
CASES = """
    INSERT INTO cases_case (id, number, kind, state, priority, opened_at, finished_at, outcome,
        outcome_note, due_on, due_provisional, updated_at, assignee_id, created_by_id,
        office_id, applicant_id, state_changed_at, audit_hold)
    SELECT i, k || '-' || to_char(o AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-'
            || lpad(i::text, 7, '0'),
        k, st,
        (ARRAY['normal','normal','normal','urgent'])[1 + i %% 4],
        o, f,
        CASE WHEN NOT open THEN CASE
             WHEN k = 'WD' AND i %% 10 = 0 THEN 'declined'
             WHEN k = 'WD' AND i %% 10 = 1 THEN 'withdrawn'
             WHEN k = 'WD' THEN 'performed'
             WHEN k = 'HA' AND i %% 20 = 12 THEN 'rejected'
             WHEN k = 'HA' THEN 'disbursed'
             ELSE 'card_issued' END ELSE '' END,
        '',
        CASE WHEN open THEN ((o + (15 + i %% 45) * interval '1 day')
                             AT TIME ZONE 'Asia/Shanghai')::date END,
        false, coalesce(f, o),
        CASE WHEN open AND st IN ('intake','application','submitted') AND i %% 10 = 7 THEN NULL
             ELSE (%(caseworkers)s::bigint[])[1 + oi + 4 * ((i / 7) %% 10)] END,
        %(creator)s, (%(offices)s::bigint[])[1 + oi], i, coalesce(f, o), false
    FROM (
        SELECT i, k, o, open, oi,
            CASE WHEN open THEN CASE k
                WHEN 'WD' THEN (ARRAY['intake','accepted','investigating','mediating',
                    'agreement','performed','mediation_failed','referred'])[1 + (i / 20) %% 8]
                WHEN 'HA' THEN (ARRAY['application','assessment','recommended','approved',
                    'disbursed'])[1 + (i / 20) %% 5]
                ELSE (ARRAY['submitted','verified','card_issued'])[1 + (i / 20) %% 3] END
            WHEN k = 'WD' AND i %% 10 = 0 THEN 'declined'
            WHEN k = 'WD' AND i %% 10 = 1 THEN 'withdrawn'
            WHEN k = 'HA' AND i %% 20 = 12 THEN 'rejected'
            ELSE 'closed' END AS st,
            CASE WHEN open THEN NULL ELSE o + (1 + i %% 120) * interval '1 day' END AS f
        FROM (
            SELECT i,
                CASE WHEN i %% 20 < 12 THEN 'WD' WHEN i %% 20 < 17 THEN 'HA' ELSE 'MC' END AS k,
                timestamptz '2016-12-01 01:00:00+00'
                    + (i - 1) * (interval '3652 days' / %(n)s) AS o,
                i > %(n)s * 0.9 AS open,
                CASE WHEN i %% 10 < 5 THEN 0 WHEN i %% 10 < 8 THEN 1
                     WHEN i %% 10 < 9 THEN 2 ELSE 3 END AS oi
            FROM generate_series(1, %(n)s) AS i
        ) AS a
    ) AS s
"""

AUDIT = """
    INSERT INTO casework_auditentry (at, actor_id, actor_name, action, case_id, office_id,
        object_type, object_id, source_state, target_state, note, details, prev_hash,
        entry_hash)
    SELECT opened_at, created_by_id, '社工0', 'case_opened', id, office_id, '', '', '',
        CASE kind WHEN 'WD' THEN 'intake' WHEN 'HA' THEN 'application' ELSE 'submitted' END,
        '', '{}'::jsonb, '', ''
    FROM cases_case
    UNION ALL
    SELECT finished_at, assignee_id, '', 'transition', id, office_id, '', '', '', state,
        '', '{}'::jsonb, '', ''
    FROM cases_case WHERE finished_at IS NOT NULL
"""


def statements() -> list[str]:
    """The export benchmark's fill with workers, counterparties and cases replaced."""
    fill = list(export_bench.FILL)
    fill[0], fill[1], fill[2] = WORKERS, COUNTERPARTIES, CASES
    fill = [s.replace("1 + id %% 1000, 'platform'", "1 + id %% 10000, 'platform'") for s in fill]
    return [*fill, AUDIT]


def fill(cases: int) -> None:
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction

    from casework.models import District, Office, User

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        city = Office.objects.create(name="随州市总工会", short_name="市总")
        offices = [
            Office.objects.create(name=f"{name}总工会", parent=city)
            for name in ("曾都区", "随县", "广水市", "高新区")
        ]
        districts = [
            District.objects.create(name=n) for n in ("曾都区", "随县", "广水市", "高新区")
        ]
        groups = {n: Group.objects.get(name=n) for n in ("caseworker", "supervisor", "auditor")}
        caseworkers = []
        for n in range(40):
            user = User.objects.create(
                username=f"cw{n}", full_name=f"社工{n}", office=offices[n % 4]
            )
            user.groups.add(groups["caseworker"])
            caseworkers.append(user)
        supervisors = []
        for n in range(4):
            user = User.objects.create(username=f"sv{n}", full_name=f"审批人{n}", office=offices[n])
            user.groups.add(groups["supervisor"])
            supervisors.append(user)
        city_sv = User.objects.create(username="citysv", full_name="市总审批人", office=city)
        city_sv.groups.add(groups["supervisor"])
        User.objects.create(username="auditor", full_name="审计").groups.add(groups["auditor"])
        # An administrator sees cases in the admin only with a role (least privilege).
        admin = User.objects.create(
            username="admin", full_name="管理员", is_staff=True, is_superuser=True
        )
        admin.groups.add(groups["auditor"])
        params = {
            "n": cases,
            "creator": caseworkers[0].pk,
            "offices": [o.pk for o in offices],
            "districts": [d.pk for d in districts],
            "caseworkers": [u.pk for u in caseworkers],
            "supervisors": [u.pk for u in supervisors],
        }
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            for statement in statements():
                began = time.perf_counter()
                cursor.execute(statement, params)
                print(
                    f"  {statement.split()[2]:<32} {cursor.rowcount:>10,} rows "
                    f"{time.perf_counter() - began:6.1f} s",
                    flush=True,
                )
            for table in export_bench.SEQUENCES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", default="cw_bench")
    args = parser.parse_args()
    export_bench.create_database(args.db)
    export_bench.setup_django(args.db)
    began = time.perf_counter()
    fill(args.cases)
    seconds = time.perf_counter() - began
    print(
        f"filled {args.db} with {args.cases:,} cases in {seconds:.0f} s "
        f"({args.cases / seconds:,.0f} cases/s)"
    )


if __name__ == "__main__":
    main()
