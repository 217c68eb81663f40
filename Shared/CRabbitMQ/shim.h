#ifndef EXAM_CRABBITMQ_SHIM_H
#define EXAM_CRABBITMQ_SHIM_H
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

/* amqp_login is variadic, which Swift cannot call; this fixes the PLAIN mechanism's arguments. */
static inline amqp_rpc_reply_t exam_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                                     int channel_max, int frame_max, int heartbeat,
                                                     const char *user, const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat, AMQP_SASL_METHOD_PLAIN, user, password);
}

/* The method ids are macros with casts, which Swift does not import; these constants carry them. */
static const amqp_method_number_t exam_amqp_basic_ack_method = AMQP_BASIC_ACK_METHOD;
static const amqp_method_number_t exam_amqp_basic_nack_method = AMQP_BASIC_NACK_METHOD;
static const amqp_method_number_t exam_amqp_basic_return_method = AMQP_BASIC_RETURN_METHOD;
static const amqp_method_number_t exam_amqp_basic_get_ok_method = AMQP_BASIC_GET_OK_METHOD;
static const amqp_method_number_t exam_amqp_basic_deliver_method = AMQP_BASIC_DELIVER_METHOD;
static const amqp_method_number_t exam_amqp_channel_close_method = AMQP_CHANNEL_CLOSE_METHOD;
static const amqp_method_number_t exam_amqp_channel_close_ok_method = AMQP_CHANNEL_CLOSE_OK_METHOD;
static const amqp_method_number_t exam_amqp_connection_close_method = AMQP_CONNECTION_CLOSE_METHOD;
static const amqp_method_number_t exam_amqp_connection_close_ok_method = AMQP_CONNECTION_CLOSE_OK_METHOD;
static const amqp_flags_t exam_amqp_publish_flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
    AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_HEADERS_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
static const amqp_flags_t exam_amqp_headers_flag = AMQP_BASIC_HEADERS_FLAG;
static const amqp_flags_t exam_amqp_message_id_flag = AMQP_BASIC_MESSAGE_ID_FLAG;
static const amqp_flags_t exam_amqp_type_flag = AMQP_BASIC_TYPE_FLAG;
static const amqp_flags_t exam_amqp_timestamp_flag = AMQP_BASIC_TIMESTAMP_FLAG;
#endif
