//! End-to-end tests of fault injection over real HTTP on loopback, with reqwest and with a raw TCP client:
//! every fault on every mock, the queue, the request count and the control routes. Stalls last ten seconds,
//! but clients give up after 200 ms and stopping the mock ends them, so no test waits for one.

mod cases;
mod common;
mod control;
mod raw;

/// Runs every case of `cases` against one mock.
macro_rules! every_fault_on {
    ($mock:ident) => {
        mod $mock {
            use crate::cases;
            use crate::common::Subject;

            #[tokio::test]
            async fn status_answers_an_empty_status() {
                cases::status(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn html_answers_a_proxy_error_page() {
                cases::html(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn retry_after_answers_the_header_and_no_body() {
                cases::retry_after(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn wrong_content_type_relabels_the_normal_answer() {
                cases::wrong_content_type(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn reset_before_response_resets_the_connection() {
                cases::reset_before_response(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn cut_body_announces_the_full_length_and_sends_a_prefix() {
                cases::cut_body(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn stall_before_headers_times_a_client_out() {
                cases::stall_before_headers(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn stall_mid_body_sends_a_prefix_then_nothing() {
                cases::stall_mid_body(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn invalid_shift_jis_spoils_one_text() {
                cases::invalid_shift_jis(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn oversized_is_well_formed_with_or_without_a_length() {
                cases::oversized(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn faults_queue_in_order_and_each_is_used_once() {
                cases::queue(Subject::$mock().await).await;
            }

            #[tokio::test]
            async fn stopping_the_mock_ends_its_stalls() {
                cases::stop_ends_stalls(Subject::$mock().await).await;
            }
        }
    };
}

every_fault_on!(orca);
every_fault_on!(plat);
every_fault_on!(hiyari);
