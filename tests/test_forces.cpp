// Force terms of the social force model against hand computation (Helbing, Farkas, Vicsek 2000).
#include "unrest/forces.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace unrest;

TEST_CASE("social repulsion between people who do not touch", "[forces]") {
  const ForceParams p;  // A = 2000 N, B = 0.08 m
  ForceAccumulator acc;
  // i is 0.8 m east of j; radii 0.3 + 0.3: 0.2 m apart.
  addPersonForce(acc, p, Vec2(0.8, 0.0), 0.6, Vec2(0.0, 1.0), Vec2(1.0, 0.0));
  const double social = 2000.0 * std::exp(-0.2 / 0.08);  // 164.17 N
  CHECK(acc.force.x() == Approx(social).epsilon(1e-6));
  CHECK(acc.force.y() == Approx(0.0).margin(1e-12));  // no friction without contact
  CHECK(acc.compression == 0.0);
  CHECK(acc.contacts == 0);
  CHECK(acc.stiffness(0, 0) == Approx(2.0 * social / 0.08).epsilon(1e-6));  // both ends of the spring
  CHECK(acc.stiffness(1, 1) == Approx(0.0).margin(1e-12));
}

TEST_CASE("body compression and sliding friction between people in contact", "[forces]") {
  const ForceParams p;
  ForceAccumulator acc;
  // 0.5 m apart with radii summing to 0.6: 0.1 m overlap. j moves north at 1 m/s relative to i.
  addPersonForce(acc, p, Vec2(0.5, 0.0), 0.6, Vec2(0.0, 1.0), Vec2(0.0, 0.0));
  const double normal = 2000.0 * std::exp(0.1 / 0.08) + 1.2e5 * 0.1;  // 18980.7 N
  const double friction = 2.4e5 * 0.1 * 1.0;                          // kappa g(r-d) dv_t = 24000 N
  CHECK(acc.force.x() == Approx(normal).epsilon(1e-6));
  CHECK(acc.force.y() == Approx(friction).epsilon(1e-9));  // dragged along with j
  CHECK(acc.compression == Approx(1.2e4));
  CHECK(acc.contacts == 1);
  CHECK(acc.damping(1, 1) == Approx(2.0 * 2.4e4));  // both bodies slide
  CHECK(acc.damping(0, 0) == Approx(0.0).margin(1e-9));
}

TEST_CASE("a wall pushes out and brakes sliding along it", "[forces]") {
  const ForceParams p;
  ForceAccumulator acc;
  // Centre 0.25 m above the wall, radius 0.3: 0.05 m overlap; sliding east at 1 m/s.
  addWallForce(acc, p, Vec2(0.0, 0.25), 0.3, Vec2(1.0, 0.0));
  const double normal = 2000.0 * std::exp(0.05 / 0.08) + 1.2e5 * 0.05;  // 9736.5 N
  CHECK(acc.force.y() == Approx(normal).epsilon(1e-6));
  CHECK(acc.force.x() == Approx(-2.4e5 * 0.05 * 1.0).epsilon(1e-9));  // -12000 N, against the sliding
  CHECK(acc.compression == Approx(6000.0));
}

TEST_CASE("anisotropy weakens the reaction to people behind", "[forces]") {
  ForceParams p;
  p.lambda = 0.5;
  const Vec2 heading(1.0, 0.0);
  ForceAccumulator ahead, behind;
  addPersonForce(ahead, p, Vec2(-0.8, 0.0), 0.6, Vec2::Zero(), heading);   // j is 0.8 m ahead
  addPersonForce(behind, p, Vec2(0.8, 0.0), 0.6, Vec2::Zero(), heading);   // j is 0.8 m behind
  const double social = 2000.0 * std::exp(-0.2 / 0.08);
  CHECK(ahead.force.x() == Approx(-social).epsilon(1e-6));
  CHECK(behind.force.x() == Approx(0.5 * social).epsilon(1e-6));
}

TEST_CASE("nothing acts beyond the interaction range", "[forces]") {
  const ForceParams p;  // range 0.6 m beyond touching
  ForceAccumulator acc;
  addPersonForce(acc, p, Vec2(1.21, 0.0), 0.6, Vec2(1.0, 0.0), Vec2(1.0, 0.0));
  addWallForce(acc, p, Vec2(0.0, 0.91), 0.3, Vec2(1.0, 0.0));
  CHECK(acc.force.norm() == 0.0);
}

TEST_CASE("the implicit step solves the linearised equations exactly", "[forces][integration]") {
  ForceAccumulator acc;
  addDrivingForce(acc, 80.0, 0.5, 1.3, Vec2(1.0, 0.0), Vec2(0.5, 0.2));
  addPersonForce(acc, ForceParams{}, Vec2(0.45, 0.2), 0.6, Vec2(-0.3, 0.4), Vec2(1.0, 0.0));
  addWallForce(acc, ForceParams{}, Vec2(0.1, 0.27), 0.3, Vec2(0.5, 0.2));
  const double m = 80.0, dt = 0.05;
  const Vec2 v(0.5, 0.2);
  const Vec2 dv = implicitVelocityChange(acc, m, dt);
  const Vec2 lhs = (m * Mat2::Identity() + dt * acc.damping + dt * dt * acc.stiffness) * dv;
  // The springs' compression rate: the person's velocity v against the neighbour's and against the wall's 0.
  // (The neighbour's relative velocity passed in is v_j − v_i = (−0.3, 0.4), so v_i − v_j = (0.3, −0.4).)
  ForceAccumulator neighbourOnly, wallOnly;
  addPersonForce(neighbourOnly, ForceParams{}, Vec2(0.45, 0.2), 0.6, Vec2(-0.3, 0.4), Vec2(1.0, 0.0));
  addWallForce(wallOnly, ForceParams{}, Vec2(0.1, 0.27), 0.3, v);
  const Vec2 rate = 0.5 * neighbourOnly.stiffness * Vec2(0.3, -0.4) + wallOnly.stiffness * v;
  CHECK((acc.stiffnessRate - rate).norm() < 1e-9 * rate.norm());
  const Vec2 rhs = dt * acc.force - dt * dt * rate;
  CHECK((lhs - rhs).norm() == Approx(0.0).margin(1e-8 * rhs.norm()));
  // With vanishing step, implicit and explicit agree to first order.
  const Vec2 small = implicitVelocityChange(acc, m, 1e-6);
  const Vec2 reference = explicitVelocityChange(acc, m, 1e-6);
  CHECK((small - reference).norm() < 1e-3 * reference.norm());
}

TEST_CASE("the implicit contact step is stable where explicit Euler explodes", "[forces][integration]") {
  // A person pressed into a wall by a constant push (a crowd behind), from rest at first touch. The damping of
  // sliding friction and the stiffness of body compression make explicit Euler unstable at 50 ms; the
  // linearly implicit step settles at the static balance whatever the step.
  const double m = 80.0, r = 0.3, push = 3000.0;
  auto settle = [&](double dt, bool implicit) {
    double y = r, vy = 0.0, worst = 0.0;  // centre height above the wall
    for (int s = 0; s < static_cast<int>(5.0 / dt); ++s) {
      ForceAccumulator acc;
      acc.force = Vec2(0.0, -push);
      addWallForce(acc, ForceParams{}, Vec2(0.0, y), r, Vec2(0.0, vy));
      const Vec2 dv = implicit ? implicitVelocityChange(acc, m, dt) : explicitVelocityChange(acc, m, dt);
      vy += dv.y();
      y += dt * vy;
      worst = std::max(worst, std::abs(vy));
    }
    return std::pair{y, worst};
  };
  // Static balance: A exp((r - y)/B) + k (r - y) = push.
  double lo = 0.0, hi = r;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    const double f = 2000.0 * std::exp((r - mid) / 0.08) + 1.2e5 * std::max(0.0, r - mid);
    (f > push ? lo : hi) = mid;
  }
  for (double dt : {0.01, 0.02, 0.05}) {
    const auto [y, worst] = settle(dt, true);
    CHECK(y == Approx(lo).margin(1e-4));
    CHECK(worst < 1.0);
  }
  const auto [yExplicit, worstExplicit] = settle(0.05, false);
  CHECK((worstExplicit > 10.0 || !std::isfinite(worstExplicit) || std::abs(yExplicit - lo) > 0.05));
}
