// The decision rule of Epstein (2002), checked against values computed by hand.
#include "unrest/civil_violence.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace unrest;

TEST_CASE("grievance is hardship times the illegitimacy of the regime", "[civil-violence]") {
  CHECK(grievance(0.5, 0.82) == Approx(0.09));
  CHECK(grievance(0.9, 0.2) == Approx(0.72));
  CHECK(grievance(1.0, 1.0) == 0.0);  // a fully legitimate regime leaves nobody aggrieved
  CHECK(grievance(0.0, 0.0) == 0.0);
}

TEST_CASE("the estimated arrest probability with the floor of C/A and with the literal ratio", "[civil-violence]") {
  const double k = 2.3;
  // 3 cops, 2 actives (counting oneself): floor(1.5) = 1, so P = 1 - e^-2.3; literally 1 - e^-3.45.
  CHECK(estimatedArrestProbability(3, 2, k, ArrestRatio::Floor) == Approx(0.8997411563));
  CHECK(estimatedArrestProbability(3, 2, k, ArrestRatio::Literal) == Approx(0.9682544));
  // Actives outnumber the cops: the floor makes the risk vanish, the literal ratio does not.
  CHECK(estimatedArrestProbability(1, 2, k, ArrestRatio::Floor) == 0.0);
  CHECK(estimatedArrestProbability(1, 2, k, ArrestRatio::Literal) == Approx(1.0 - std::exp(-1.15)));
  // A lone agent facing one cop: 1 - e^-2.3 = 0.90 either way (Epstein chose k so).
  CHECK(estimatedArrestProbability(1, 1, k, ArrestRatio::Floor) == Approx(0.8997411563));
  CHECK(estimatedArrestProbability(1, 1, k, ArrestRatio::Literal) == Approx(0.8997411563));
  // No cops in sight: no risk.
  CHECK(estimatedArrestProbability(0, 1, k, ArrestRatio::Floor) == 0.0);
  CHECK(estimatedArrestProbability(0, 5, k, ArrestRatio::Literal) == 0.0);
  // The agent always counts itself, so A is at least 1.
  CHECK(estimatedArrestProbability(2, 0, k, ArrestRatio::Literal) == Approx(1.0 - std::exp(-4.6)));
}

TEST_CASE("an agent turns active only when grievance exceeds net risk by more than the threshold", "[civil-violence]") {
  const double t = 0.1;
  CHECK(decidesActive(0.31, 0.2, 1.0, t));    // 0.31 - 0.2 = 0.11 > 0.1
  CHECK_FALSE(decidesActive(0.3, 0.2, 1.0, t));  // exactly at the threshold is not beyond it
  CHECK_FALSE(decidesActive(0.25, 0.2, 1.0, t));
  CHECK(decidesActive(0.15, 0.9, 0.0, t));    // no risk: grievance alone decides
  CHECK_FALSE(decidesActive(0.1, 0.0, 0.0, t));

  // Run 2's regime (L = 0.82) and a very aggrieved agent (H = 0.9, so G = 0.162) of middling risk aversion (0.5)
  // facing one cop: alone it keeps quiet; with two others active in sight (A = 3) the floor of 1/3 is 0 and it turns
  // active, while the literal ratio still gives P = 1 - e^(-2.3/3) = 0.54 and it stays quiet.
  const double g = grievance(0.9, 0.82);
  CHECK_FALSE(decidesActive(g, 0.5, estimatedArrestProbability(1, 1, 2.3, ArrestRatio::Floor), t));
  CHECK(decidesActive(g, 0.5, estimatedArrestProbability(1, 3, 2.3, ArrestRatio::Floor), t));
  CHECK(estimatedArrestProbability(1, 3, 2.3, ArrestRatio::Literal) == Approx(0.5354409796));
  CHECK_FALSE(decidesActive(g, 0.5, estimatedArrestProbability(1, 3, 2.3, ArrestRatio::Literal), t));
}
