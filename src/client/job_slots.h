// The builds a client runs at once (its `jobs` setting): each job in a
// worker thread of its own with its own cancel flag. Only the daemon's
// consuming thread calls these methods; the workers touch nothing but their
// own job. The seam unit tests drive with fake work (job_slots_test.cc).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client/job_run.h"
#include "core/model.h"
#include "queue/consumer.h"

namespace cbit::client {

class JobSlots {
 public:
  /// A job taken from a queue, and once finished its report.
  struct Job {
    BuildRequest request;
    queue::Delivery delivery;
    int generation = 0;                        ///< the connection the delivery came on
    std::optional<std::string> takeover_from;  ///< Building on this silent client
    JobReport report;
  };
  /// Builds `job` (its report is what this returns); `signals` are the job's
  /// own cancel and the daemon's stop.
  using Work = std::function<JobReport(const Job& job, const JobSignals& signals)>;

  /// At most `capacity` jobs at once; `stopping` tells every job the daemon
  /// is going away.
  JobSlots(int capacity, std::function<bool()> stopping);
  /// Waits for every job still running.
  ~JobSlots();
  JobSlots(const JobSlots&) = delete;
  JobSlots& operator=(const JobSlots&) = delete;

  bool Full() const { return running_.size() >= static_cast<std::size_t>(capacity_); }
  bool Empty() const { return running_.empty(); }
  std::size_t size() const { return running_.size(); }
  /// Whether a job with this id runs (finished or not, until taken).
  bool Holds(Id job) const;
  /// Whether a job whose delivery came on a connection before `generation`
  /// runs: its request may be offered again on this one.
  bool AnyBefore(int generation) const;

  /// Starts `work` for `job` in a thread of its own; the caller checked Full.
  void Start(Job job, Work work);
  /// Sets the cancel flag of the job with this id; false when none runs.
  bool Cancel(Id job);
  /// The jobs whose work has returned, their threads joined, in the order
  /// they were started.
  std::vector<Job> TakeFinished();
  /// Waits for every job and returns them all.
  std::vector<Job> JoinAll();

 private:
  struct Slot {
    Job job;
    std::atomic<bool> cancelled{false};
    std::atomic<bool> done{false};
    std::thread worker;
  };
  std::vector<Job> Take(bool wait);

  const int capacity_;
  std::function<bool()> stopping_;
  std::vector<std::unique_ptr<Slot>> running_;
};

}  // namespace cbit::client
