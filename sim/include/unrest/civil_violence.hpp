// The decision rule of Epstein's civil-violence model (J. M. Epstein, "Modeling civil violence: an agent-based
// computational approach", PNAS 99 suppl. 3, 7243-7250, 2002), written once and used both in Epstein's own
// lattice world and by people in the city.
//
//   grievance                      G = H (1 - L)
//   estimated arrest probability   P = 1 - exp(-k * C/A)   (C: police and soldiers in vision,
//                                                            A: active people in vision, counting oneself)
//   net risk                       N = R P
//   an agent is active when        G - N > T
//
// The paper writes C/A; the NetLogo "Rebellion" model, the reference implementation most reproductions follow,
// takes floor(C/A). With the literal ratio a lone rebel facing one officer has P = 0.9 and almost nobody turns
// active; with the floor, P is 0 whenever the actives outnumber the police in sight, and the paper's
// punctuated outbursts appear. The choice is a parameter (`arrest_ratio`), floor by default.
#pragma once

#include <algorithm>
#include <cmath>

namespace unrest {

enum class ArrestRatio { Floor, Literal };

inline double grievance(double hardship, double legitimacy) { return hardship * (1.0 - legitimacy); }

inline double estimatedArrestProbability(double copsInVision, double activesInVisionWithSelf, double k,
                                         ArrestRatio ratio) {
  const double actives = std::max(1.0, activesInVisionWithSelf);
  const double r = ratio == ArrestRatio::Floor ? std::floor(copsInVision / actives) : copsInVision / actives;
  return 1.0 - std::exp(-k * r);
}

inline bool decidesActive(double grievance, double riskAversion, double arrestProbability, double threshold) {
  return grievance - riskAversion * arrestProbability > threshold;
}

}  // namespace unrest
