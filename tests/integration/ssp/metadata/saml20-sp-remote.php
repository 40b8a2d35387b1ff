<?php
/* Alibaba Cloud role-based SSO service providers (China site and international site). */
require_once dirname(__DIR__) . '/_testbed.php';
$tb = s2s_testbed();

foreach ($tb['sps'] as $sp) {
    $metadata[$sp['entity_id']] = [
        'AssertionConsumerService' => [
            [
                'Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
                'Location' => $sp['acs'],
                'index' => 0,
            ],
        ],
        'NameIDFormat' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
        'saml20.sign.response' => true,
        'saml20.sign.assertion' => true,
    ];
}
