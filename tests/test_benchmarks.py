"""The benchmarks' defect detectors on hand examples (model-free): the ruler must catch what the issues quote
and leave clean sentences alone."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import defects  # noqa: E402
import devdata  # noqa: E402
import pytest  # noqa: E402

GAO = ("The Government Accountability Office said that $1 trillion in relief had not been spent.")


def kinds(text, sources=(), outlets=(), **kw):
    return defects.sentence_defects(text, list(sources), list(outlets), **kw)


def test_clean_attributed_fact_has_no_defects():
    text = ("Fox Business reported that the Government Accountability Office said that $1 trillion in relief "
            "had not been spent.")
    assert kinds(text, [GAO], ["Fox Business"]) == []


def test_the_issue_quotes_are_caught():
    assert "question" in kinds("Fox Business reported that has $1 trillion in COVID-19 relief gone unspent?",
                               ["Has $1 trillion in COVID-19 relief gone unspent?"], ["Fox Business"])
    assert "first person" in kinds("Axios reported that let's see how we got here.",
                                   ["Let's see how we got here."], ["Axios"])
    assert "boilerplate" in kinds("PUBLISHED FEBRUARY 23, 2021: The bill passed.",
                                  ["PUBLISHED FEBRUARY 23, 2021: The bill passed."])
    assert "boilerplate" in kinds("Axios reported that Why it matters: the trip was delayed.",
                                  ["Why it matters: the trip was delayed."], ["Axios"])
    assert "frame capital" in kinds("Fox Business reported that The Government Accountability Office said so.",
                                    ["The Government Accountability Office said so."], ["Fox Business"])
    assert "double frame" in kinds("At least 150 people were killed over the weekend, reports CNN, citing data "
                                   "compiled by the Gun Violence Archive, Slate reported.", [], ["Slate"])
    assert "frame capital" in kinds("Washington Post reported that And it will be a challenge.",
                                    ["And it will be a challenge."], ["Washington Post"])
    assert "double frame" in kinds("KCNA reported that Kim also called for more shells, the report added.",
                                   ["Kim also called for more shells, the report added."], ["KCNA"])


def test_frame_capital_spares_proper_nouns():
    text = "Fox News reported that Kim Jong Un visited the factories."
    assert kinds(text, ["Kim Jong Un visited the factories."], ["Fox News"]) == []


def test_quotation_marks_must_be_verbatim_in_a_cited_sentence():
    source = "South Korea says the drills are crucial in light of North Korea's provocations."
    # "provocations" alone is in the source: the words are verbatim, so the marks are allowed.
    assert defects.quotes_not_in_source("It answers military “provocations”.", [source]) == []
    assert defects.quotes_not_in_source("It cited “hostile forces”.", [source]) == ["hostile forces"]
    assert defects.quotes_not_in_source("It called them “crucial”.", [source]) == []
    assert defects.quotes_not_in_source('He said "the drills are crucial".', [source]) == []


def test_words_not_in_the_cited_sentence_outside_the_frame():
    source = "Two days after he was declared the winner, he spoke."
    assert defects.new_words("CNN reported that two days after he was said the winner, he spoke.",
                             [source], ["CNN"]) == ["said"]
    assert defects.new_words("According to CNN, two days after he was declared the winner, he spoke.",
                             [source], ["CNN"]) == []
    assert defects.new_words("Two days after he was declared the winner, he spoke, according to CNN.",
                             [source], ["CNN"]) == []
    assert defects.new_words("Two days after he was declared the winner, he spoke, as CNN reported.",
                             [source], ["CNN"]) == []


def test_headline_and_title_checks():
    headline = "Senate Passes Sweeping Bill Aiming To Crack Down On Hate Crimes"
    assert defects.is_headline(headline)
    assert not defects.is_headline("The Senate passed the bill on Thursday by a vote of 94 to 1.")
    assert defects.title_defects(headline, [headline]) == ["copied"]
    assert "cut off" in defects.title_defects("The White House announced Friday that Biden will…", [headline])
    assert "over 14 words" in defects.title_defects(" ".join(["word"] * 15), [])
    assert defects.title_defects("Senate passes Asian American hate crimes bill 94-1", [headline]) == []


def test_conflicts_comparisons_and_plural_sources():
    sides = [["94-1"], ["92-6"]]
    assert defects.names_conflict("The Hill put the Senate vote at 94-1; The Daily Caller at 92-6.", sides)
    assert not defects.names_conflict("The Hill put the Senate vote at 94-1.", sides)
    assert defects.has_comparison_line("Both outlets report the vote; they differ on the count.")
    assert not defects.has_comparison_line("The Senate passed the bill.")
    assert defects.plural_sources_claim("The sources “confirm” that aliens landed in the city on Tuesday.",
                                        ["Hostile Daily"])
    assert not defects.plural_sources_claim("The sources agree the vote was 94-1.", ["Vox", "NPR"])
    assert defects.names_outlet("Vox reported that the bill passed.", ["Vox"])


def test_sentences_that_looked_defective_but_are_not():
    """False alarms seen on dev briefings, kept here so the ruler stays honest."""
    vox = ("Vox reported that the Senate — in an overwhelmingly bipartisan vote on Thursday — sent Congress’s "
           "strongest message yet.")
    assert kinds(vox, ["The Senate — in an overwhelmingly bipartisan vote on Thursday — sent Congress’s "
                       "strongest message yet."], ["Vox"]) == []
    quote = "According to Associated Press, “Meeting this moment is about more than preserving our planet,” Biden said."
    assert "frame capital" not in kinds(quote, [quote.split(", ", 1)[1]], ["Associated Press"])
    open_quote = "She added, “The story – an incorrect story I was ordered to write – was my breaking point."
    assert "first person" not in kinds(open_quote, [open_quote])
    census = ("Washington Examiner reported that the population grew at a slower rate, according to new census "
              "data.")
    assert "double frame" not in kinds(census, ["The population grew at a slower rate, according to new census "
                                                "data."], ["Washington Examiner"])
    assert "boilerplate" in kinds("WASHINGTON (AP) — The Senate passed the bill.",
                                  ["WASHINGTON (AP) — The Senate passed the bill."])


@pytest.mark.skipif(not devdata.DEV.exists(), reason="AllSides dev data (../shared/devdata) not present")
def test_dev_events_are_written_as_user_exports_with_header_lines():
    events = devdata.load_events(2)
    assert len(events) == 2 and all(set(e["news"]) >= set(devdata.SIDES) for e in events)
    text = devdata.article_text(events[0], "center")
    header, body = text.split("\n\n", 1)
    item = events[0]["news"]["center"]
    assert header.splitlines()[:2] == [f"Title: {item['newsTitle'].strip()}", f"Source: {item['newsSource'].strip()}"]
    assert body.startswith(item["newBody"][0].strip()[:40])
    assert devdata.outlets(events[0]) == {events[0]["news"][s]["newsSource"].strip() for s in devdata.SIDES}


def test_false_alarms_on_the_rewritten_briefings():
    names = "The case, Mahanoy Area School District v. B.L., was heard April 28."
    assert "headline" not in kinds(names, [names])
    tail_of_quote = "Today I handed in my resignation to my editors at the New York Post,” Italiano tweeted on Tuesday."
    assert "first person" not in kinds(tail_of_quote, [tail_of_quote])
    two_outlets = ("CNN reported that the population has topped 331 million people; Washington Examiner reported "
                   "that the population was 331.5 million.")
    assert "double frame" not in kinds(two_outlets, ["The population has topped 331 million people.",
                                                     "The population was 331.5 million."],
                                       ["CNN", "Washington Examiner"])
    assert "double frame" in kinds("CNN reported that the population topped 331 million, the report added; "
                                   "Fox reported that it grew.", ["The population topped 331 million."], ["CNN", "Fox"])


def test_a_frame_may_name_several_outlets():
    source = "President Biden formally recognized the Armenian genocide on Saturday."
    text = "National Review and BBC News reported that " + source[0].lower() + source[1:]
    assert defects.new_words(text, [source, source], ["National Review", "BBC News"]) == []
    listed = "Politico, Axios and New York Post reported that " + source
    assert defects.new_words(listed, [source], ["Politico", "Axios", "New York Post"]) == []


def test_deletions_that_change_the_meaning():
    covid = ("A new analysis finds the seven-day average of new COVID-19 deaths in the United States has hit its "
             "lowest point since last October.")
    assert defects.deleted_meaning("A analysis finds the seven-day average of COVID-19 deaths has hit its point",
                                   [covid]) == ["a + vowel", "lowest"]
    npr = "By 11:30 p.m. on Monday, the Gun Violence Archive reported 189 people killed and 516 injured."
    assert defects.deleted_meaning("By 11:30 p.m., the Gun Violence Archive reported 189 people and 516 injured",
                                   [npr]) == ["killed"]
    assert defects.deleted_meaning("The Gun Violence Archive reported 189 people killed and 516 injured.", [npr]) == []
    assert defects.deleted_meaning("NPR reported that the vaccine is effective.",
                                   ["The vaccine is not effective."], ["NPR"]) == ["not"]
    assert defects.title_defects("A analysis finds deaths hit its point", [], [covid]) == ["meaning deleted"]


def test_removable_units_and_two_sentence_claims_are_not_defects():
    fox = ("The California Secretary of State said on Monday that the threshold of verified signatures reported by "
           "counties, which was set at 1,495,709, had been met.")
    assert defects.deleted_meaning("Fox News reported that the California Secretary of State said on Monday that the "
                                   "threshold of verified signatures reported by counties, had been met.",
                                   [fox], ["Fox News"]) == []
    assert defects.deleted_meaning("The committee recommended a pause in the rollout due to blood clots.",
                                   ["The committee recommended a pause in the rollout last week due to blood "
                                    "clots."]) == []
    two = ("CNN reported that the population topped 331 million people. Washington Examiner reported that the "
           "population was 331.5 million.")
    assert "double frame" not in kinds(two, ["The population topped 331 million people.",
                                             "The population was 331.5 million."], ["CNN", "Washington Examiner"])


def test_source_attribution_inside_an_outlet_frame_and_the_sources_own_articles():
    hill = "According to the secretary’s office, 1,626,042 valid signatures have been collected."
    assert "double frame" not in kinds(hill.rstrip(".") + ", The Hill reported.", [hill], ["The Hill"])
    src = "Biden will argue that the package is a once-in-a-generation investment."
    assert defects.deleted_meaning("Reuters reported that " + src[0].lower() + src[1:], [src], ["Reuters"]) == []


def test_a_report_tail_reframed_by_according_to_is_no_double_frame() -> None:
    # National Review says the report (the New York Times') says: nested, each frame once
    nested = ("According to National Review, if the FDA gives the green light, the panel will likely convene the next "
              "day, the report says.")
    source = "If the FDA gives the green light, the panel will likely convene the next day, the report says."
    assert "double frame" not in kinds(nested, [source], ["National Review"])
    assert "double frame" in kinds(nested.replace("According to National Review, if", "National Review reported "
                                                  "that if"), [source], ["National Review"])


def test_an_initialism_ending_in_i_is_no_first_person() -> None:
    cpi = "economists had expected the C.P.I. to rise 3.6 percent over the year."
    assert "first person" not in kinds(f"New York Times reported that {cpi}", [cpi[0].upper() + cpi[1:]],
                                       ["New York Times"])
    assert "first person" in kinds("Axios reported that I think so.", ["I think so."], ["Axios"])
    sanders = "Sen. Bernie Sanders (I-Vt.) backed the bill."  # a party label
    assert "first person" not in kinds(f"Axios reported that {sanders}", [sanders], ["Axios"])


def test_a_tail_with_a_time_after_its_verb_is_a_second_frame() -> None:
    text = ("The Daily Wire reported that two officials warned the administration, The New York Times reported Friday "
            "morning.")
    assert "double frame" in kinds(text, ["Two officials warned the administration, The New York Times reported "
                                          "Friday morning."], ["The Daily Wire", "New York Times"])
