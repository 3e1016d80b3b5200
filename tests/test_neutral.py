"""Neutral rewrites: safe edits, attribution, and the rewrite-then-verify loop with its quotation fallback."""

from __future__ import annotations

from collections.abc import Sequence

from rag.framing import unquoted_loaded_terms
from rag.neutral import attribute, check_generated, quote_whole, rewrite_verified, strip_discourse
from rag.store import Store
from rag.types import Verdict, Verification
from rag.verify import verify_claim

SOURCE = ("Meanwhile, Seoul and Washington announced on Monday that they would stage the Ulchi Freedom "
          "Guardian summer war games on Aug. 21-31.")


def test_safe_rewrite_is_verified_against_the_source(store: Store) -> None:
    def verifier(text: str, sources: Sequence[str], outlets: Sequence[str]) -> Verification:
        return verify_claim(text, sources, embeddings=store.embeddings, outlets=outlets)

    result = rewrite_verified(SOURCE, "Press TV", [SOURCE], verifier, must_attribute=True)
    assert result.text == ("Press TV reported that Seoul and Washington announced on Monday that they would "
                           "stage the Ulchi Freedom Guardian summer military exercises on Aug. 21-31.")
    assert result.verification.verdict == Verdict.SUPPORTED and not result.quoted_fallback
    assert "war games → military exercises" in result.changes


def test_term_without_neutral_equivalent_is_quoted_and_attributed() -> None:
    text = "Kim cited surging military provocations by the US."
    calls: list[str] = []

    def verifier(claim: str, sources: Sequence[str], outlets: Sequence[str]) -> Verification:
        calls.append(claim)
        return Verification(Verdict.SUPPORTED, 0.9)

    result = rewrite_verified(text, "KCNA", [text], verifier, must_attribute=False)
    assert result.text == "KCNA reported that Kim cited surging military “provocations” by the US."
    assert calls == [result.text] and unquoted_loaded_terms(result.text) == []


def test_failed_verification_falls_back_to_attributed_quotation() -> None:
    text = 'He claimed the "drills" were "rehearsals".'
    seen: list[str] = []

    def verifier(claim: str, sources: Sequence[str], outlets: Sequence[str]) -> Verification:
        seen.append(claim)
        ok = claim.startswith("Outlet reported:")
        return Verification(Verdict.SUPPORTED if ok else Verdict.UNSUPPORTED, 0.9 if ok else 0.1)

    result = rewrite_verified(text, "Outlet", [text], verifier, must_attribute=False)
    assert result.quoted_fallback and len(seen) == 2
    assert result.text == "Outlet reported: “He claimed the 'drills' were 'rehearsals'.”"
    assert result.verification.verdict == Verdict.SUPPORTED
    assert "quoted the source instead" in result.verification.reasons[0]
    assert unquoted_loaded_terms(result.text) == []


def test_llm_output_check_flags_and_rewrites() -> None:
    text, flags = check_generated("The regime slammed the war games.")
    assert text == "The government criticized the military exercises."
    assert len(flags) == 3
    assert check_generated("Officials said talks would resume.") == ("Officials said talks would resume.", [])


def test_small_helpers() -> None:
    assert strip_discourse("In conclusion, the talks ended without agreement.") == \
        "The talks ended without agreement."
    assert attribute("The talks ended.", "AP") == "AP reported that the talks ended."
    assert attribute("“No,” he said.", "AP") == "According to AP, “No,” he said."
    assert attribute("The talks ended.", "U.S. News") == "According to U.S. News, the talks ended."
    assert attribute("According to the report, talks ended.", "AP") == \
        "According to the report, talks ended, according to AP."
    assert quote_whole('He said "no".', "AP") == "AP reported: “He said 'no'.”"
