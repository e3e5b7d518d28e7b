#pragma once
// A call flow's stages as the engine sees them (profile [[stages]], org::Stage): the session of a
// stage — the organization's generated prompt with the stage's instructions and what the earlier
// stage passed on, the stage's tools plus one transition tool per next stage (move_to_<stage>,
// with a `handoff` argument), and the stage's voice on each engine — and the names that tie a
// transition tool to its stage. Pure functions, no I/O.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/providers.hpp"
#include "core/engine/session_config.hpp"
#include "core/org/profile.hpp"

namespace sonoria::call {

// move_to_<stage>: the tool the engine calls to move the call to `stage`.
std::string transition_tool(std::string_view stage);
// The stage a tool moves to ("" when `tool` is not a transition tool).
std::string_view transition_target(std::string_view tool);
// The index of the stage called `name`, if there is one.
std::optional<std::size_t> find_stage(const std::vector<org::Stage>& stages, std::string_view name);
// Whether the built-in tool `tool` is offered in `stage` (its `tools`, or all when unset).
bool stage_offers(const org::Stage& stage, std::string_view tool);

// What the engine passed on when it moved the call: the `handoff` argument of a transition tool's
// arguments (JSON text as the model wrote it); "" when absent or unreadable.
std::string handoff_of(std::string_view arguments);

// `base` (the call's session on `provider`, without stages) in `stages[index]`, entered with
// `handoff` from the stage before ("" for the start stage). `first_engine`: `provider` is the
// assistant's first engine (where the stage's plain `voice` applies).
engine::SessionConfig stage_session(engine::SessionConfig base, engine::Provider provider, bool first_engine,
                                    const std::vector<org::Stage>& stages, std::size_t index,
                                    std::string_view handoff);

}  // namespace sonoria::call
