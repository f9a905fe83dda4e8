// The force terms of the social force model (Helbing, Farkas, Vicsek 2000), written once and used both by the
// move stage and by the tests that check them against hand computation.
//
// Besides the force, each term reports its derivatives, because the move stage integrates the stiff contact
// terms implicitly: K = −∂F/∂x_i (stiffness of the repulsion and body compression along n) and
// C = −∂F/∂v_i (damping of sliding friction along t, and of the driving term).
#pragma once

#include "unrest/geometry.hpp"

#include <Eigen/Core>
#include <Eigen/LU>  // closed-form 2x2 inverse
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
  Mat2 stiffness = Mat2::Zero();  // K
  Mat2 damping = Mat2::Zero();    // C
  double compression = 0.0;       // Σ k·g(r − d): radial body-compression force magnitudes, N
  int contacts = 0;               // bodies or walls touching
};

// Person j acting on person i. `offset` = x_i − x_j, `rSum` = r_i + r_j, `relVel` = v_j − v_i, `heading` = e_i.
inline void addPersonForce(ForceAccumulator& acc, const ForceParams& p, const Vec2& offset, double rSum,
                           const Vec2& relVel, const Vec2& heading) {
  const double d2 = offset.squaredNorm();
  const double reach = rSum + p.range;
  if (d2 >= reach * reach) return;
  const double d = std::sqrt(d2);
  // Two centres at the same point have no direction; pick one that does not depend on the order of evaluation.
  const Vec2 n = d > 1e-9 ? Vec2(offset / d) : Vec2(1.0, 0.0);
  const double overlap = rSum - d;
  // Anisotropy (Helbing & Johansson 2009): people react less to those behind them.
  const double cosPhi = -n.dot(heading);
  const double weight = p.lambda + (1.0 - p.lambda) * 0.5 * (1.0 + cosPhi);
  // Single precision suffices for a factor that is then multiplied by A, and is about twice as fast.
  const double social = p.A * double(std::exp(float(overlap / p.B))) * weight;
  double normal = social;
  double stiff = social / p.B;
  if (overlap > 0.0) {
    normal += p.k * overlap;
    stiff += p.k;
    const Vec2 t(-n.y(), n.x());
    const double friction = p.kappa * overlap;
    acc.force += friction * relVel.dot(t) * t;
    acc.damping += friction * t * t.transpose();
    acc.compression += p.k * overlap;
    ++acc.contacts;
  }
  acc.force += normal * n;
  acc.stiffness += stiff * n * n.transpose();
}

// A wall acting on person i: `offset` = x_i − (closest wall point), `velocity` = v_i. Walls do not move.
inline void addWallForce(ForceAccumulator& acc, const ForceParams& p, const Vec2& offset, double radius,
                         const Vec2& velocity) {
  const double d2 = offset.squaredNorm();
  const double reach = radius + p.range;
  if (d2 >= reach * reach || d2 <= 0.0) return;
  const double d = std::sqrt(d2);
  const Vec2 n = offset / d;
  const double overlap = radius - d;
  const double social = p.A * std::exp(overlap / p.B);
  double normal = social;
  double stiff = social / p.B;
  if (overlap > 0.0) {
    normal += p.k * overlap;
    stiff += p.k;
    const Vec2 t(-n.y(), n.x());
    const double friction = p.kappa * overlap;
    acc.force -= friction * velocity.dot(t) * t;
    acc.damping += friction * t * t.transpose();
    acc.compression += p.k * overlap;
    ++acc.contacts;
  }
  acc.force += normal * n;
  acc.stiffness += stiff * n * n.transpose();
}

// Driving term m (v0 e − v)/τ.
inline void addDrivingForce(ForceAccumulator& acc, double mass, double tau, double desiredSpeed, const Vec2& heading,
                            const Vec2& velocity) {
  acc.force += mass * (desiredSpeed * heading - velocity) / tau;
  acc.damping += (mass / tau) * Mat2::Identity();
}

// One step of the linearly implicit Euler method restricted to each person's own 2×2 block (Baraff & Witkin
// 1998 use the same linearisation for stiff cloth): (m + dt·C + dt²·K) Δv = dt·F − dt²·K·v. Neighbours enter
// with their current state, so the update of each person is independent of the others. Unlike explicit Euler,
// whose step must stay below ~2/(damping rate), this is stable for any step; at equilibrium (Δv = 0, v = 0) it
// keeps the exact force balance, so static crowd pressures do not depend on the step.
inline Vec2 implicitVelocityChange(const ForceAccumulator& acc, double mass, double dt, const Vec2& velocity) {
  const Mat2 M = mass * Mat2::Identity() + dt * acc.damping + dt * dt * acc.stiffness;
  const Vec2 rhs = dt * acc.force - dt * dt * (acc.stiffness * velocity);
  return M.inverse() * rhs;
}

inline Vec2 explicitVelocityChange(const ForceAccumulator& acc, double mass, double dt) { return dt * acc.force / mass; }

}  // namespace unrest
