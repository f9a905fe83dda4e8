// The force terms of the social force model (Helbing, Farkas, Vicsek 2000), written once and used both by the
// move stage and by the tests that check them against hand computation.
//
// Besides the force, each term reports what the move stage needs to integrate the stiff contact terms
// implicitly (see implicitVelocityChange): the stiffness K = −∂F/∂x_i of repulsion and body compression along
// n, the damping C = −∂F/∂v_i of sliding friction along t and of the driving term, and the rate Σ K (v_i − v_j)
// at which the springs are being compressed.
#pragma once

#include "unrest/geometry.hpp"

#include <Eigen/Core>
#include <Eigen/LU>  // closed-form 2x2 inverse
#include <algorithm>
#include <cmath>

namespace unrest {

using Mat2 = Eigen::Matrix2d;

struct ForceParams {
  double A = 2000.0;     // N
  double B = 0.08;       // m
  double k = 1.2e5;      // kg/s^2
  double kappa = 2.4e5;  // kg/(m s)
  double lambda = 1.0;   // anisotropy (1 = isotropic)
  double range = 0.6;    // m beyond touching
};

struct ForceAccumulator {
  Vec2 force = Vec2::Zero();
  // Diagonal blocks of the implicit system. A contact with a person enters twice (2K, 2C): both ends of the
  // spring move, and counting both keeps the person-by-person (Jacobi) solution stable at any step; a wall
  // enters once.
  Mat2 stiffness = Mat2::Zero();      // Σ 2K_ij (people) + K_iW (walls)
  Mat2 damping = Mat2::Zero();        // Σ 2C_ij + C_iW + m/τ
  Vec2 stiffnessRate = Vec2::Zero();  // Σ K_ij (v_i − v_j) + K_iW v_i: how fast the springs are being compressed
  double compression = 0.0;       // Σ k·g(r − d): radial body-compression force magnitudes, N
  int contacts = 0;               // bodies or walls touching
};

namespace detail {
// What people and walls share: social repulsion along n, and on contact body compression along n and sliding
// friction along t. `approach` is the velocity of i relative to the other body (v_i − v_j; v_i for a wall);
// `ends` is 2 for a person (both ends of the spring move, see implicitVelocityChange) and 1 for a wall.
inline void addContactTerms(ForceAccumulator& acc, const ForceParams& p, const Vec2& n, double overlap,
                            double socialWeight, const Vec2& approach, double ends) {
  // Single precision suffices for a factor that is then multiplied by A, and is about twice as fast. The
  // exponent is capped so that extreme overlaps give huge but finite forces.
  // A = 0 is a contact-only layer (the hybrid locomotion): no exponential to evaluate.
  const double social = p.A > 0.0 ? p.A * double(std::exp(float(std::min(overlap / p.B, 40.0)))) * socialWeight : 0.0;
  double normal = social;
  double stiff = social / p.B;
  if (overlap > 0.0) {
    normal += p.k * overlap;
    stiff += p.k;
    const Vec2 t(-n.y(), n.x());
    const double friction = p.kappa * overlap;
    acc.force -= friction * approach.dot(t) * t;
    acc.damping += ends * friction * t * t.transpose();
    acc.compression += p.k * overlap;
    ++acc.contacts;
  }
  acc.force += normal * n;
  acc.stiffness += ends * stiff * n * n.transpose();
  acc.stiffnessRate += stiff * n * n.dot(approach);
}
}  // namespace detail

// Person j acting on person i. `offset` = x_i − x_j, `rSum` = r_i + r_j, `relVel` = v_j − v_i, `heading` = e_i.
inline void addPersonForce(ForceAccumulator& acc, const ForceParams& p, const Vec2& offset, double rSum,
                           const Vec2& relVel, const Vec2& heading) {
  const double d2 = offset.squaredNorm();
  const double reach = rSum + p.range;
  if (d2 >= reach * reach) return;
  const double d = std::sqrt(d2);
  // Two centres at the same point have no direction; pick one that does not depend on the order of evaluation.
  const Vec2 n = d > 1e-9 ? Vec2(offset / d) : Vec2(1.0, 0.0);
  // Anisotropy (Helbing & Johansson 2009): people react less to those behind them.
  const double cosPhi = -n.dot(heading);
  const double weight = p.lambda + (1.0 - p.lambda) * 0.5 * (1.0 + cosPhi);
  detail::addContactTerms(acc, p, n, rSum - d, weight, -relVel, 2.0);
}

// A wall acting on person i: `offset` = x_i − (closest wall point), `velocity` = v_i. Walls do not move.
inline void addWallForce(ForceAccumulator& acc, const ForceParams& p, const Vec2& offset, double radius,
                         const Vec2& velocity) {
  const double d2 = offset.squaredNorm();
  const double reach = radius + p.range;
  if (d2 >= reach * reach || d2 <= 0.0) return;
  const double d = std::sqrt(d2);
  detail::addContactTerms(acc, p, offset / d, radius - d, 1.0, velocity, 1.0);
}

// Driving term m (v0 e − v)/τ.
inline void addDrivingForce(ForceAccumulator& acc, double mass, double tau, double desiredSpeed, const Vec2& heading,
                            const Vec2& velocity) {
  acc.force += mass * (desiredSpeed * heading - velocity) / tau;
  acc.damping += (mass / tau) * Mat2::Identity();
}

// One step of the linearly implicit Euler method restricted to each person's own 2×2 block (Baraff & Witkin
// 1998 use the same linearisation for stiff cloth). Linearising F(x_i + dt·v_i', x_j + dt·v_j') about the current
// state, with the neighbours' unknown changes folded into the diagonal (the 2K and 2C above), gives
//   (m + dt·C + dt²·K) Δv = dt·F − dt²·Σ_j K_ij (v_i − v_j),
// solved for each person independently of the others. Three properties matter:
//   - stability at any step: for two people in contact the update contracts for every dt (explicit Euler needs
//     dt below ~2/(damping rate), i.e. 1–5 ms with HFV's friction; counting each spring once would be unstable
//     above dt²·k/m = 2, i.e. ~37 ms);
//   - no drag between people walking in step: the springs see only the relative velocity;
//   - exact statics: at rest (v = 0, Δv = 0) the force balance F = 0 is the true one, so crowd pressures in a
//     jam do not depend on the step.
inline Vec2 implicitVelocityChange(const ForceAccumulator& acc, double mass, double dt) {
  const Mat2 M = mass * Mat2::Identity() + dt * acc.damping + dt * dt * acc.stiffness;
  const Vec2 rhs = dt * acc.force - dt * dt * acc.stiffnessRate;
  return M.inverse() * rhs;
}

inline Vec2 explicitVelocityChange(const ForceAccumulator& acc, double mass, double dt) { return dt * acc.force / mass; }

}  // namespace unrest
