"""Comparable forms of each subject-as-recorded ("mentions") and of each person on the register,
built in DuckDB SQL so that a million allegations take seconds.

Both tables get the same columns (Splink links them as two datasets): lists where a person has
several values (every surname they have been known by, every staff and shoulder number, every
rank and command held, forename forms with nicknames), a single value on the mention side.
Columns that only make sense on one side (a mention's date; a person's service dates) are NULL
on the other, and the comparisons read them with COALESCE so either side may be left or right.

Reference data lives in vigil/linkage/data/: British nickname forms (plus the `nicknames`
package's list), rank words and role words."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import nicknames

# Leading words that are titles or ranks, not names ("PC Smith", "Det Sgt Jones", "Ms Patel").
TITLE_WORDS = (
    "pc", "dc", "ps", "sgt", "ds", "di", "dci", "ci", "insp", "supt", "cdr", "pcso", "sc", "ss", "det",
    "detective", "police", "constable", "sergeant", "inspector", "chief", "superintendent", "special",
    "commander", "ch", "mr", "mrs", "ms", "miss", "mx", "dr", "officer", "staff",
)  # fmt: skip
# What a recorder writes when they do not know the name.
NO_NAME_WORDS = (
    "unknown",
    "not",
    "known",
    "nk",
    "unk",
    "unnamed",
    "female",
    "male",
    "person",
    "officer",
    "staff",
)


def _sql_list(words: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{word}'" for word in words) + "]"


MENTION_COLUMNS = (
    "unique_id",
    "staff_id",
    "staff_ids",
    "shoulder_numbers",
    "shoulder_digits",
    "surname",
    "surnames",
    "surname_fl",
    "forename",
    "first_forenames",
    "forenames",
    "initials",
    "dob",
    "ranks",
    "rank_mentioned",
    "rank_max",
    "command_keys",
    "role_tags",
    "event_date",
    "joined_on",
    "left_on",
    "surname_count",
    "forename_count",
    "force",
    # Blocking keys (see model.blocking_rules): set on the mention side only where they are
    # selective enough, and on the register side always.
    "complainant_people",
    "elsewhere",
    "approx_age",
    "birth_year",
    "place_commands",
    "rare_surnames",
    "initial_only",
    "name_only_forenames",
    "surname_only_surnames",
    "dob_full",
    "staff_masks",
)
# A surname on its own ("PC Smith") is used to find candidates only if at most this many people
# bear it: a mention of one of 3,000 Smiths is not going to be resolved by a name.
RARE_FOR_BLOCKING = 50


def data_path(name: str) -> Path:
    return Path(str(resources.files("vigil.linkage") / "data" / name))


@cache
def nickname_pairs() -> tuple[tuple[str, str], ...]:
    """(formal, short) forename pairs, lower case: the British usual forms shipped with Vigil and
    the `nicknames` package's list."""
    pairs: set[tuple[str, str]] = set()
    with data_path("british_nicknames.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            pairs.add((row["forename"].lower(), row["nickname"].lower()))
    package_csv = Path(nicknames.__file__).with_name("names.csv")
    with package_csv.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["relationship"] == "has_nickname":
                pairs.add((row["name1"].lower(), row["name2"].lower()))
    return tuple(sorted(pairs))


def load_reference(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE ref_nicknames (formal VARCHAR, short VARCHAR)")
    con.executemany("INSERT INTO ref_nicknames VALUES (?, ?)", list(nickname_pairs()))
    for name in ("rank_words", "role_words", "role_tags"):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE ref_{name} AS "
            f"SELECT * FROM read_csv(?, header = true, all_varchar = true)",
            [str(data_path(f"{name}.csv"))],
        )
    con.execute(_MACROS)


# Name text: ASCII, lower case, letters and spaces only (apostrophes and hyphens dropped so that
# O'Brien, OBrien and O Brien meet); particles joined to the next word ("o brien" -> "obrien").
_MACROS = r"""
CREATE OR REPLACE TEMP MACRO vl_clean(s) AS
    trim(regexp_replace(regexp_replace(
        regexp_replace(lower(strip_accents(coalesce(s, ''))), '[''\x{2019}`.]', '', 'g'),
        '[^a-z, -]', ' ', 'g'), '\s+', ' ', 'g'));
CREATE OR REPLACE TEMP MACRO vl_join_particles(s) AS
    trim(regexp_replace(' ' || s || ' ', ' (o|mc|mac|st|de|le|van|von|di|da|du) ([a-z]{2})', ' \1\2', 'g'));
CREATE OR REPLACE TEMP MACRO vl_word(s) AS regexp_replace(s, '[^a-z]', '', 'g');
CREATE OR REPLACE TEMP MACRO vl_number(s) AS nullif(upper(regexp_replace(coalesce(s, ''), '[^A-Za-z0-9]', '', 'g')), '');
CREATE OR REPLACE TEMP MACRO vl_dob(d, prec) AS
    CASE WHEN d IS NULL OR d = '' THEN NULL
         WHEN prec = 'Y' THEN substr(d, 1, 4)
         WHEN prec = 'M' THEN substr(d, 1, 7)
         ELSE substr(d, 1, 10) END;
-- A staff number with each digit masked in turn: two numbers one digit apart share a mask.
CREATE OR REPLACE TEMP MACRO vl_masks(s) AS
    CASE WHEN s IS NULL THEN NULL
         ELSE list_transform(range(1, length(s) + 1), i -> substr(s, 1, i - 1) || '*' || substr(s, i + 1)) END;
-- Shoulder numbers are often written without their command letters: 817 for 817PP.
CREATE OR REPLACE TEMP MACRO vl_digits(s) AS nullif(regexp_replace(coalesce(s, ''), '[^0-9]', '', 'g'), '');
CREATE OR REPLACE TEMP MACRO vl_fl(s) AS
    CASE WHEN s IS NULL OR length(s) < 2 THEN NULL ELSE s[1] || s[-1] END;
"""


def prepare_register(con: duckdb.DuckDBPyConnection) -> None:
    """`register`: one row per person, from the src_* tables (see engine.extract)."""
    con.execute(
        r"""
CREATE OR REPLACE TEMP TABLE person_name_forms AS
WITH names AS (
    SELECT id AS person_id, vl_clean(surname) AS surname, vl_clean(forenames) AS forenames FROM src_people
    UNION ALL
    -- Former names and aliases: a surname field when the register gives one, else the last word.
    SELECT person_id,
           vl_clean(CASE WHEN coalesce(surname, '') <> '' THEN surname
                         WHEN length(string_split(vl_clean(full_name), ' ')) > 1
                         THEN string_split(vl_clean(full_name), ' ')[-1] END),
           vl_clean(CASE WHEN coalesce(forenames, '') <> '' THEN forenames
                         ELSE string_split(vl_clean(full_name), ' ')[1] END)
    FROM src_person_names
)
SELECT DISTINCT person_id, surname, forenames FROM names;

CREATE OR REPLACE TEMP TABLE person_surnames AS
SELECT DISTINCT person_id, form AS surname FROM (
    SELECT person_id, vl_word(surname) AS form FROM person_name_forms
    UNION ALL  -- each part of a double-barrelled or two-word surname
    SELECT person_id, vl_word(unnest(string_split_regex(surname, '[ -]'))) FROM person_name_forms
    WHERE regexp_matches(surname, '[ -]')
) WHERE length(form) > 1;

CREATE OR REPLACE TEMP TABLE person_forenames AS
WITH given AS (
    SELECT DISTINCT person_id, vl_word(unnest(string_split(forenames, ' '))) AS forename
    FROM person_name_forms
)
SELECT DISTINCT person_id, forename FROM (
    SELECT person_id, forename FROM given
    UNION ALL SELECT g.person_id, n.short FROM given g JOIN ref_nicknames n ON n.formal = g.forename
    UNION ALL SELECT g.person_id, n.formal FROM given g JOIN ref_nicknames n ON n.short = g.forename
) WHERE length(forename) > 1;

-- The name a person goes by: the first forename of each name form (an alias "Dave Smith" counts)
-- and its short or long forms. A middle name matching is weaker evidence.
CREATE OR REPLACE TEMP TABLE person_first_forenames AS
WITH given AS (
    SELECT DISTINCT person_id, vl_word(string_split(forenames, ' ')[1]) AS forename FROM person_name_forms
)
SELECT DISTINCT person_id, forename FROM (
    SELECT person_id, forename FROM given
    UNION ALL SELECT g.person_id, n.short FROM given g JOIN ref_nicknames n ON n.formal = g.forename
    UNION ALL SELECT g.person_id, n.formal FROM given g JOIN ref_nicknames n ON n.short = g.forename
) WHERE length(forename) > 1;

CREATE OR REPLACE TEMP TABLE person_ranks AS
WITH held AS (
    SELECT id AS person_id, rank_or_grade FROM src_people
    UNION ALL SELECT person_id, rank_or_grade FROM src_roles
)
SELECT DISTINCT h.person_id, w.rank, CAST(w.level AS INTEGER) AS level
FROM held h JOIN ref_rank_words w ON w.word = vl_clean(h.rank_or_grade)
UNION  -- police staff grades ("Band E") are compared as written
SELECT DISTINCT h.person_id, vl_clean(h.rank_or_grade), NULL
FROM held h ANTI JOIN ref_rank_words w ON w.word = vl_clean(h.rank_or_grade)
WHERE vl_clean(h.rank_or_grade) <> '';

CREATE OR REPLACE TEMP TABLE person_commands AS
WITH held AS (
    SELECT DISTINCT person_id, vl_clean(command) AS command FROM (
        SELECT id AS person_id, command FROM src_people UNION ALL SELECT person_id, command FROM src_roles
    ) WHERE coalesce(command, '') <> ''
), words AS (
    SELECT person_id, command, list_filter(string_split(command, ' '), w -> w NOT IN ('and', 'of', 'the')) AS w
    FROM held
)
SELECT DISTINCT person_id, key FROM (
    SELECT person_id, command AS key FROM held
    UNION ALL  -- initials: "Public Protection" -> "pp"; "Central West BCU" -> "cw bcu", "cw"
    SELECT person_id, array_to_string(list_transform(w, x -> x[1]), '') FROM words
    UNION ALL
    SELECT person_id, array_to_string(list_transform(list_filter(w, x -> x <> 'bcu'), x -> x[1]), '') || ' bcu'
    FROM words WHERE list_contains(w, 'bcu')
    UNION ALL
    SELECT person_id, array_to_string(list_transform(list_filter(w, x -> x <> 'bcu'), x -> x[1]), '')
    FROM words WHERE list_contains(w, 'bcu')
    UNION ALL  -- a shoulder number's letters name its command: 4521CW
    SELECT person_id, lower(regexp_extract(number, '[A-Za-z]+$')) FROM src_shoulder_numbers
) WHERE key <> '';

CREATE OR REPLACE TEMP TABLE person_roles AS
SELECT DISTINCT r.person_id, t.role_tag
FROM (SELECT id AS person_id, role FROM src_people UNION ALL SELECT person_id, role FROM src_roles) r
JOIN ref_role_tags t ON contains(vl_clean(r.role), t.role_word);

CREATE OR REPLACE TEMP TABLE register AS
SELECT
    p.id AS unique_id,
    vl_number(p.staff_id) AS staff_id,
    list_distinct(list_value(vl_number(p.staff_id)) || coalesce(fs.ids, [])) AS staff_ids,
    sn.numbers AS shoulder_numbers,
    sn.digits AS shoulder_digits,
    vl_word(vl_clean(p.surname)) AS surname,
    s.forms AS surnames,
    vl_fl(vl_word(vl_clean(p.surname))) AS surname_fl,
    vl_word(string_split(vl_clean(p.forenames), ' ')[1]) AS forename,
    ff.forms AS first_forenames,
    f.forms AS forenames,
    list_distinct(list_transform(f.forms, x -> x[1])) AS initials,
    vl_dob(p.date_of_birth, p.date_of_birth_precision) AS dob,
    rk.ranks,
    CAST(NULL AS INTEGER) AS rank_mentioned,
    rk.rank_max,
    c.keys AS command_keys,
    ro.tags AS role_tags,
    CAST(NULL AS VARCHAR) AS event_date,
    p.joined_on,
    p.left_on,
    CAST(NULL AS BIGINT) AS surname_count,
    CAST(NULL AS BIGINT) AS forename_count,
    lower(p.force) AS force,
    [CAST(p.id AS VARCHAR)] AS complainant_people,
    CAST(NULL AS VARCHAR) AS elsewhere,
    CAST(NULL AS INTEGER) AS approx_age,
    TRY_CAST(substr(p.date_of_birth, 1, 4) AS INTEGER) AS birth_year,
    pc.commands AS place_commands,
    s.forms AS rare_surnames,
    list_distinct(list_transform(f.forms, x -> x[1])) AS initial_only,
    ff.forms AS name_only_forenames,
    s.forms AS surname_only_surnames,
    CASE WHEN length(vl_dob(p.date_of_birth, p.date_of_birth_precision)) = 10
         THEN vl_dob(p.date_of_birth, p.date_of_birth_precision) END AS dob_full,
    vl_masks(vl_number(p.staff_id)) AS staff_masks
FROM src_people p
LEFT JOIN (SELECT person_id, list(vl_number(staff_id)) AS ids FROM src_former_staff_numbers GROUP BY 1) fs
    ON fs.person_id = p.id
LEFT JOIN (SELECT person_id, list(DISTINCT vl_number(number)) AS numbers, list(DISTINCT vl_digits(number)) AS digits
           FROM src_shoulder_numbers GROUP BY 1) sn
    ON sn.person_id = p.id
LEFT JOIN (SELECT person_id, list(surname ORDER BY surname) AS forms FROM person_surnames GROUP BY 1) s
    ON s.person_id = p.id
LEFT JOIN (SELECT person_id, list(forename ORDER BY forename) AS forms FROM person_forenames GROUP BY 1) f
    ON f.person_id = p.id
LEFT JOIN (SELECT person_id, list(forename ORDER BY forename) AS forms FROM person_first_forenames GROUP BY 1) ff
    ON ff.person_id = p.id
LEFT JOIN (SELECT person_id, list(DISTINCT rank) AS ranks, max(level) AS rank_max FROM person_ranks GROUP BY 1) rk
    ON rk.person_id = p.id
LEFT JOIN (SELECT person_id, list(key ORDER BY key) AS keys FROM person_commands GROUP BY 1) c
    ON c.person_id = p.id
LEFT JOIN (SELECT person_id, list(role_tag ORDER BY role_tag) AS tags FROM person_roles GROUP BY 1) ro
    ON ro.person_id = p.id
LEFT JOIN (
    SELECT person_id, list(DISTINCT vl_clean(command)) AS commands FROM (
        SELECT id AS person_id, command FROM src_people UNION ALL SELECT person_id, command FROM src_roles
    ) WHERE coalesce(command, '') <> '' GROUP BY 1
) pc ON pc.person_id = p.id;

-- How many people answer to each surname: "PC Smith" says little where there are forty Smiths.
CREATE OR REPLACE TEMP TABLE surname_counts AS
SELECT surname, count(DISTINCT person_id) AS people FROM person_surnames GROUP BY 1;

CREATE OR REPLACE TEMP TABLE forename_counts AS
SELECT forename, count(DISTINCT person_id) AS people FROM person_first_forenames GROUP BY 1;

-- What prepare_mentions looks up in the register, kept once (a candidate search prepares one
-- mention at a time, and cleaning every command again cost it half a second at 60,000 people).
CREATE OR REPLACE TEMP TABLE register_commands AS
SELECT DISTINCT vl_clean(command) AS command FROM src_people WHERE length(vl_clean(command)) > 3;

CREATE OR REPLACE TEMP TABLE register_staff_ids AS
SELECT DISTINCT staff_id FROM register WHERE staff_id IS NOT NULL;
"""
    )


def prepare_mentions(con: duckdb.DuckDBPyConnection) -> None:
    """`mentions`: one row per allegation in src_allegations (see engine.extract), against the
    register prepared by prepare_register."""
    con.execute(
        r"""
CREATE OR REPLACE TEMP TABLE mention_names AS
WITH cleaned AS (
    SELECT id, vl_clean(subject_name) AS name FROM src_allegations
), split AS (
    -- "SMITH, Dave" is surname first; anything else is forenames then surname.
    SELECT id,
           CASE WHEN contains(name, ',') THEN trim(split_part(name, ',', 1)) END AS comma_surname,
           vl_join_particles(trim(replace(CASE WHEN contains(name, ',')
                THEN split_part(name, ',', 2) ELSE name END, '-', '~'))) AS rest
    FROM cleaned
), tokens AS (
    SELECT id, comma_surname, list_filter(string_split(rest, ' '), t -> t <> '') AS words FROM split
), titled AS (
    -- Leading title and rank words ("det sgt") are split off: they are evidence of rank, not a name.
    SELECT id, comma_surname, words,
           coalesce(list_position(list_transform(words, w -> list_contains(
               TITLES, w)), false), length(words) + 1) AS first_name_word
    FROM tokens
)
SELECT id,
       array_to_string(words[1:first_name_word - 1], ' ') AS title,
       list_filter(words[first_name_word:], w -> NOT list_contains(NO_NAME, w)) AS name_words,
       comma_surname
FROM titled;

CREATE OR REPLACE TEMP TABLE mention_parsed AS
SELECT id, title,
       CASE
           WHEN comma_surname IS NOT NULL AND NOT list_contains(NO_NAME, comma_surname)
               THEN vl_word(comma_surname)
           WHEN length(name_words) >= 2 THEN vl_word(name_words[-1])
           -- One word after a title is a surname ("PC Smith"); alone, it is a first name ("Kieran").
           WHEN length(name_words) = 1 AND title <> '' THEN vl_word(name_words[1])
       END AS surname,
       CASE
           WHEN comma_surname IS NOT NULL THEN vl_word(name_words[1])
           WHEN length(name_words) >= 2 OR (length(name_words) = 1 AND title = '') THEN vl_word(name_words[1])
       END AS first_word
FROM mention_names;

CREATE OR REPLACE TEMP TABLE mention_roles AS
SELECT a.id, list(DISTINCT w.role_tag ORDER BY w.role_tag) AS tags
FROM src_allegations a
JOIN ref_role_words w ON contains(vl_clean(coalesce(a.subject_details, '') || ' ' || coalesce(a.subject_rank, '')),
                                  w.word)
GROUP BY 1;

-- A command named in the details ("officer, East Area BCU, based at Barking").
CREATE OR REPLACE TEMP TABLE mention_detail_commands AS
SELECT a.id, list(DISTINCT c.command) AS commands
FROM src_allegations a JOIN register_commands c ON contains(vl_clean(a.subject_details), c.command)
WHERE coalesce(a.subject_details, '') <> ''
GROUP BY 1;

CREATE OR REPLACE TEMP TABLE mentions AS
WITH m AS (
    SELECT a.*, p.title,
           nullif(p.surname, '') AS surname_w,
           nullif(p.first_word, '') AS first_word,
           coalesce(rw.rank, rt.rank, rd.rank) AS rank_name,
           CAST(coalesce(rw.level, rt.level, rd.level) AS INTEGER) AS rank_level
    FROM src_allegations a
    JOIN mention_parsed p ON p.id = a.id
    LEFT JOIN ref_rank_words rw ON rw.word = vl_clean(a.subject_rank)
    LEFT JOIN ref_rank_words rt ON rt.word = p.title
    -- "Sgt, South West BCU, based at Sutton": a rank word leading the details.
    LEFT JOIN ref_rank_words rd ON rd.word = vl_clean(split_part(a.subject_details, ',', 1))
)
SELECT
    m.id AS unique_id,
    vl_number(m.subject_staff_id) AS staff_id,
    CASE WHEN vl_number(m.subject_staff_id) IS NOT NULL THEN [vl_number(m.subject_staff_id)] END AS staff_ids,
    CASE WHEN vl_number(m.subject_shoulder_number) IS NOT NULL
         THEN [vl_number(m.subject_shoulder_number)] END AS shoulder_numbers,
    CASE WHEN vl_digits(m.subject_shoulder_number) IS NOT NULL
         THEN [vl_digits(m.subject_shoulder_number)] END AS shoulder_digits,
    m.surname_w AS surname,
    CASE WHEN m.surname_w IS NOT NULL THEN [m.surname_w] END AS surnames,
    -- First and last letters find a misspelt surname: only for a surname nobody on the register bears.
    CASE WHEN coalesce(sc.people, 0) = 0 THEN vl_fl(m.surname_w) END AS surname_fl,
    CASE WHEN length(m.first_word) > 1 THEN m.first_word END AS forename,
    CASE WHEN length(m.first_word) > 1 THEN [m.first_word] END AS first_forenames,
    CASE WHEN length(m.first_word) > 1 THEN [m.first_word] END AS forenames,
    CASE WHEN m.first_word IS NOT NULL THEN [m.first_word[1]] END AS initials,
    vl_dob(m.subject_dob, m.subject_dob_precision) AS dob,
    CASE WHEN m.rank_name IS NOT NULL THEN [m.rank_name]
         WHEN vl_clean(m.subject_rank) <> '' THEN [vl_clean(m.subject_rank)] END AS ranks,
    m.rank_level AS rank_mentioned,
    CAST(NULL AS INTEGER) AS rank_max,
    nullif(list_distinct(
        CASE WHEN vl_clean(m.subject_command) <> '' THEN [vl_clean(m.subject_command)] ELSE [] END
        || coalesce(dc.commands, [])
    ), []) AS command_keys,
    r.tags AS role_tags,
    coalesce(nullif(m.incident_date, ''), m.received_on) AS event_date,
    CAST(NULL AS VARCHAR) AS joined_on,
    CAST(NULL AS VARCHAR) AS left_on,
    CASE WHEN m.surname_w IS NOT NULL THEN coalesce(sc.people, 0) END AS surname_count,
    CASE WHEN length(m.first_word) > 1 THEN coalesce(fc.people, 0) END AS forename_count,
    nullif(lower(m.subject_force), '') AS force,
    CAST(NULL AS VARCHAR[]) AS complainant_people,  -- filled in by the second pass (engine.context)
    -- Another force named ("says he is an officer with Wealdshire Constabulary"), or a man who
    -- only claimed to be police: someone who may never have been on this register.
    CASE WHEN regexp_matches(m.subject_details, '(?i)claimed to be|pretend|impersonat|looked like a warrant card')
             THEN 'impostor'
         WHEN regexp_matches(m.subject_details, '\b[A-Z][a-z]+(?: [A-Z][a-z]+)* (?:Police|Constabulary)\b')
             THEN 'other_force' END AS elsewhere,
    -- "male, about 40": an age, checked against the date of birth at the time of the events.
    TRY_CAST(regexp_extract(m.subject_details, 'about (\d{2})\b', 1) AS INTEGER) AS approx_age,
    CAST(NULL AS INTEGER) AS birth_year,
    CAST(NULL AS VARCHAR[]) AS place_commands,  -- filled in by apply_places
    CASE WHEN m.surname_w IS NOT NULL AND coalesce(sc.people, 0) <= RARE_FOR_BLOCKING THEN [m.surname_w] END
        AS rare_surnames,
    -- Surname and initial: for "D. Smith", and for a first name nobody on the register bears
    -- (misspelt) if the surname is not too common.
    CASE WHEN length(m.first_word) = 1
              OR (length(m.first_word) > 1 AND coalesce(fc.people, 0) = 0
                  AND coalesce(sc.people, 0) <= 6 * RARE_FOR_BLOCKING)
         THEN [m.first_word[1]] END AS initial_only,
    -- A first name alone finds candidates (with the command or role) only if it is not common.
    CASE WHEN m.surname_w IS NULL AND length(m.first_word) > 1 AND coalesce(fc.people, 0) <= 6 * RARE_FOR_BLOCKING
         THEN [m.first_word] END AS name_only_forenames,
    CASE WHEN m.surname_w IS NOT NULL AND m.first_word IS NULL THEN [m.surname_w] END AS surname_only_surnames,
    CASE WHEN length(vl_dob(m.subject_dob, m.subject_dob_precision)) = 10
         THEN vl_dob(m.subject_dob, m.subject_dob_precision) END AS dob_full,
    -- One digit away: only for a staff number nobody holds (a typing error, not a colleague's number).
    CASE WHEN known.staff_id IS NULL THEN vl_masks(vl_number(m.subject_staff_id)) END AS staff_masks
FROM m
LEFT JOIN mention_roles r ON r.id = m.id
LEFT JOIN mention_detail_commands dc ON dc.id = m.id
LEFT JOIN surname_counts sc ON sc.surname = m.surname_w
LEFT JOIN forename_counts fc ON fc.forename = m.first_word
LEFT JOIN register_staff_ids known ON known.staff_id = vl_number(m.subject_staff_id);
""".replace("NO_NAME", _sql_list(NO_NAME_WORDS))
        .replace("TITLES", _sql_list(TITLE_WORDS))
        .replace("RARE_FOR_BLOCKING", str(RARE_FOR_BLOCKING))
    )


def mention_places(con: duckdb.DuckDBPyConnection) -> None:
    """`mention_places`: the place names in each mention's details ("based at Sutton", "drives a
    marked car out of Harrow"): capitalised words, one or two of them."""
    con.execute(
        r"""
CREATE OR REPLACE TEMP TABLE mention_places AS
SELECT DISTINCT id, place FROM (
    SELECT id, unnest(regexp_extract_all(coalesce(subject_details, ''), '\b([A-Z][a-z]+(?: [A-Z][a-z]+)?)\b', 1))
        AS place
    FROM src_allegations
) WHERE place IS NOT NULL
"""
    )


def learn_places(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Learn which command each place belongs to from the force's own records: mentions whose staff
    number *and* surname agree with a person (deterministic, strong) tell us that the place in
    their details is in that person's command. A place counts only if it was seen at least twice
    and mostly (60%) with one command. Returns (place, command) pairs, kept with the model."""
    rows = con.execute(
        """
WITH anchored AS (
    SELECT mp.place, vl_clean(p.command) AS command
    FROM mention_places mp
    JOIN mentions m ON m.unique_id = mp.id
    JOIN register r ON r.staff_id = m.staff_id AND list_has_any(r.surnames, m.surnames)
    JOIN src_people p ON p.id = r.unique_id
    WHERE coalesce(p.command, '') <> ''
), counted AS (
    SELECT place, command, count(*) AS seen, sum(count(*)) OVER (PARTITION BY place) AS place_seen
    FROM anchored GROUP BY 1, 2
)
SELECT place, command FROM counted WHERE seen >= 2 AND seen >= 0.6 * place_seen ORDER BY 1, 2
"""
    ).fetchall()
    return [(str(place), str(command)) for place, command in rows]


def apply_places(con: duckdb.DuckDBPyConnection, places: list[tuple[str, str]]) -> None:
    """Give each mention the commands its places belong to (`place_commands`)."""
    load_places(con, places)
    place_mentions(con)


def load_places(con: duckdb.DuckDBPyConnection, places: list[tuple[str, str]]) -> None:
    """`place_commands`: the model's (place, command) pairs."""
    con.execute("CREATE OR REPLACE TEMP TABLE place_commands (place VARCHAR, command VARCHAR)")
    if places:
        con.executemany("INSERT INTO place_commands VALUES (?, ?)", places)


def place_mentions(con: duckdb.DuckDBPyConnection) -> None:
    """Fill each mention's `place_commands` from its places and `place_commands` (load_places)."""
    con.execute(
        """
UPDATE mentions SET place_commands = found.commands
FROM (
    SELECT mp.id, list(DISTINCT pc.command) AS commands
    FROM mention_places mp JOIN place_commands pc ON pc.place = mp.place
    GROUP BY 1
) found
WHERE mentions.unique_id = found.id
"""
    )
