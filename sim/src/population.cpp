#include "unrest/population.hpp"

#include <algorithm>
#include <new>

namespace unrest {

namespace {
// The widest column's element: the gather buffer holds one of these a person.
constexpr std::size_t kScratchWidth = sizeof(double);
}  // namespace

void Population::reserve(std::size_t n) {
  for (auto* v : {&x, &y, &vx, &vy}) v->reserve(n);
  for (auto* v : {&radius, &desiredSpeed, &goalX, &goalY, &pressure, &overPressureTime, &dwell, &jailTerm, &carried, &fear, &facingX, &facingY})
    v->reserve(n);
  for (auto* v : {&state, &marks, &role, &faction, &activity, &errand, &pass}) v->reserve(n);
  for (auto* v : {&field, &group, &shop, &patrolStop}) v->reserve(n);
  for (auto* v : {&id, &cell, &member, &quarry}) v->reserve(n);
  if (n > scratchPeople_) {
    scratch_ = std::make_unique_for_overwrite<std::byte[]>(n * kScratchWidth);
    scratchPeople_ = n;
  }
}

void Population::pushBack(std::uint32_t agentId, std::uint16_t groupIndex, std::uint32_t memberIndex,
                          std::uint16_t fieldIndex, double px, double py, float r, float v0, float gx, float gy) {
  x.push_back(px);
  y.push_back(py);
  vx.push_back(0.0);
  vy.push_back(0.0);
  radius.push_back(r);
  desiredSpeed.push_back(v0);
  goalX.push_back(gx);
  goalY.push_back(gy);
  state.push_back(static_cast<std::uint8_t>(AgentState::Walking));
  field.push_back(fieldIndex);
  pressure.push_back(0.0f);
  marks.push_back(0);
  overPressureTime.push_back(0.0f);
  dwell.push_back(-1.0f);
  jailTerm.push_back(0.0f);
  id.push_back(agentId);
  group.push_back(groupIndex);
  role.push_back(static_cast<std::uint8_t>(Role::Civilian));
  faction.push_back(kNoFaction);
  activity.push_back(static_cast<std::uint8_t>(Activity::Quiet));
  fear.push_back(0.0f);
  facingX.push_back(0.0f);
  facingY.push_back(0.0f);
  member.push_back(memberIndex);
  quarry.push_back(0);
  shop.push_back(0);
  carried.push_back(0.0f);
  patrolStop.push_back(0);
  errand.push_back(static_cast<std::uint8_t>(Errand::None));
  pass.push_back(0);
  cell.push_back(0);
}

namespace {
template <class T>
void gather(std::vector<T>& column, const std::vector<std::uint32_t>& order, std::byte* scratch, int threads) {
  static_assert(sizeof(T) <= kScratchWidth && alignof(T) <= alignof(std::max_align_t));
  const auto n = static_cast<std::int64_t>(order.size());
  T* gathered = ::new (static_cast<void*>(scratch)) T[order.size()];  // trivial: starts the elements' lifetime only
#pragma omp parallel for schedule(static) num_threads(threads) if (n > 4096)
  for (std::int64_t k = 0; k < n; ++k) gathered[k] = column[order[k]];
  column.resize(order.size());
  std::copy(gathered, gathered + n, column.begin());
}
}  // namespace

void Population::reorder(const std::vector<std::uint32_t>& order, int threads) {
  if (order.size() > scratchPeople_) reserve(order.size());
  std::byte* scratch = scratch_.get();
  for (auto* v : {&x, &y, &vx, &vy}) gather(*v, order, scratch, threads);
  for (auto* v : {&radius, &desiredSpeed, &goalX, &goalY, &pressure, &overPressureTime, &dwell, &jailTerm, &carried, &fear, &facingX, &facingY})
    gather(*v, order, scratch, threads);
  for (auto* v : {&state, &marks, &role, &faction, &activity, &errand, &pass}) gather(*v, order, scratch, threads);
  for (auto* v : {&field, &group, &shop, &patrolStop}) gather(*v, order, scratch, threads);
  for (auto* v : {&id, &cell, &member, &quarry}) gather(*v, order, scratch, threads);
}

std::size_t Population::bytesPerAgent() const {
  return 4 * sizeof(double) + 12 * sizeof(float) + 7 * sizeof(std::uint8_t) + 4 * sizeof(std::uint16_t) +
         4 * sizeof(std::uint32_t) + kScratchWidth;
}

}  // namespace unrest
