import { useEffect, useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { createClient, MqttError, type MqttClient } from 'miniprogram-mqtt'

const TOPIC = 'taro/demo'
const MAX_MESSAGES = 50

export default function Quickstart() {
  const client = useRef<MqttClient>()
  const nextId = useRef(0)
  const [status, setStatus] = useState('idle')
  const [messages, setMessages] = useState<{ id: number; topic: string; text: string }[]>([])

  useEffect(() => {
    const c = createClient({ name: 'taro-quickstart', host: '127.0.0.1', port: 8083, path: '/mqtt', secure: false })
    client.current = c
    const offs = [
      c.on('status', (s) => setStatus(s.status)),
      // 有上限的列表：只保留最新 MAX_MESSAGES 条 · bounded: the newest MAX_MESSAGES only
      c.on('message', (m) =>
        setMessages((list) => [{ id: nextId.current++, topic: m.topic, text: m.payload }, ...list].slice(0, MAX_MESSAGES)),
      ),
    ]
    c.connect()
      .then(() => c.subscribe(TOPIC, { qos: 2 }))
      .catch((e: MqttError) => console.warn(e.code, e.message))
    return () => {
      offs.forEach((off) => off()) // 页面卸载：取消监听并离开连接 · page unloads: listeners off, leave the connection
      c.end()
    }
  }, [])

  const publish = () =>
    client.current?.publish(TOPIC, 'hello from Taro', { qos: 2 }).catch((e: MqttError) => console.warn(e.code, e.message))

  return (
    <View>
      <Text>{status}</Text>
      <Button onClick={publish}>QoS 2 发布 · Publish</Button>
      {messages.map((m) => (
        <View key={m.id}>
          <Text>{m.topic}</Text>
          <Text>{m.text}</Text>
        </View>
      ))}
    </View>
  )
}
